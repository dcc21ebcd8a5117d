"""Request types for views that only an authenticated person reaches.

Django types `request.user` as `User | AnonymousUser`; behind `login_required` (pages) or
`IsAuthenticated` (API) it is always a `User`. Annotating such views with these types states that
once, instead of narrowing `request.user` in every view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from rest_framework.request import Request

    from core.models import User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User

    class AuthenticatedRequest(Request):
        user: User

else:
    from rest_framework.request import Request

    AuthenticatedHttpRequest = HttpRequest
    AuthenticatedRequest = Request

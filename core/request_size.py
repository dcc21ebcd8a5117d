"""The hard limit on the size of a request, checked before its body is read.

Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, FILE_UPLOAD_MAX_MEMORY_SIZE) bound what is kept
in memory, but an upload is still read whole, to a temporary file, before a form can refuse it: a
client sending fifty megabytes would hold a web worker and fill its disk. The announced
Content-Length is enough to refuse it unread. A body without one (chunked) is never read by
Django's WSGI handler, and the reverse proxy applies the same limit to it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

PAYLOAD_TOO_LARGE = 413


def max_request_bytes() -> int:
    return settings.MAX_REQUEST_MB * 1024 * 1024


def announced_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        # Django reads nothing from a body whose length it cannot parse, and neither do we.
        return 0


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if announced_length(request) > max_request_bytes():
            return too_large(request)
        return self.get_response(request)


def too_large(request: HttpRequest) -> HttpResponse:
    message = (
        f"La requête dépasse {settings.MAX_REQUEST_MB} Mo : chaque fichier doit faire "
        f"{settings.MAX_UPLOAD_MB} Mo au plus."
    )
    if request.path.startswith("/api/"):
        body = {
            "code": "request_too_large",
            "message": message,
            "details": {
                "max_request_mb": settings.MAX_REQUEST_MB,
                "max_upload_mb": settings.MAX_UPLOAD_MB,
            },
        }
        response: HttpResponse = JsonResponse(body, status=PAYLOAD_TOO_LARGE)
    else:
        response = render(
            request,
            "core/request_too_large.html",
            {"title": "Fichier trop volumineux", "message": message},
            status=PAYLOAD_TOO_LARGE,
        )
    return response

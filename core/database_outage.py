"""A database that cannot be reached answers 503 with Retry-After, never an HTML 500.

During a PostgreSQL restart (or failover) every request fails on its first query. Those failures
say "come back in a moment", so the API answers its error shape and the pages a French DSFR page,
both with Retry-After. Only a lost connection qualifies: an integrity error, a syntax error or a
statement cancelled by a timeout is a bug or a refusal and stays what it is.

A view's error reaches `DatabaseOutageMiddleware.process_exception`; an error raised by another
middleware (the session read from the database, the user loaded for the second factor) reaches
Django's 500 handler instead, which asks `is_database_outage` first (core/error_pages.py).
"""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from core.api.errors import error_body

logger = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = 503
RETRY_AFTER_SECONDS = 30
# PostgreSQL's SQLSTATE of a lost server: class 08 (connection exception), and the server going
# down or not up yet (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now).
_SHUTDOWN_STATES = {"57P01", "57P02", "57P03"}
# SQLite's equivalent: the file cannot be opened (disk gone, directory missing).
_SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")


def is_database_outage(exc: BaseException | None) -> bool:
    """True when `exc` says the database cannot be reached, not that a query was wrong."""
    if isinstance(exc, InterfaceError):
        return True  # the connection object is closed or broken
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if type(cause).__module__.startswith("psycopg"):
        # No SQLSTATE: the failure happened before any server answered (refused, timed out).
        return sqlstate is None or sqlstate.startswith("08") or sqlstate in _SHUTDOWN_STATES
    return str(exc).lower().startswith(_SQLITE_UNREACHABLE)


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 itself, built without a query: no session, no user, no context processor."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("service_unavailable"), status=SERVICE_UNAVAILABLE)
    else:
        # A plain context: the context processors (the DSFR's configuration, the menu filtered
        # by the person's roles) read the database.
        page = loader.get_template("503.html").render(
            {"title": "Service momentanément indisponible", "request": request}
        )
        response = HttpResponse(page, status=SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.warning("Base de données injoignable (%s) : 503 pour %s", exception, request.path)
        return outage_response(request)

import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from .backends.postgresql.base import DatabaseWrapper as CommitTrackingWrapper

LOST_DATABASE = "_transferhub_lost_database"
REPEATABLE_METHODS = {"GET", "HEAD", "OPTIONS"}


@receiver(got_request_exception)
def _note_lost_database(sender, request: HttpRequest | None = None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        setattr(request, LOST_DATABASE, True)


class RetryAfterLostDatabaseMiddleware:
    """Answer a request again, once, when its PostgreSQL connection broke under it.

    When PostgreSQL restarts, the requests it was serving lose their connection and fail.
    If nothing of theirs was committed (each write is one transaction, rolled back with the
    connection), they can run again on a fresh connection, which the database backend waits
    for; so can a GET that committed (what a GET writes, such as a read marker, must bear
    repeating, as HTTP has it). Any other request that committed before the break is never
    repeated: it gets the error page, as it would without this middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        database = connections[DEFAULT_DB_ALIAS]
        if not isinstance(database, CommitTrackingWrapper):
            return self.get_response(request)
        database.committed = False
        response = self.get_response(request)
        lost = getattr(request, LOST_DATABASE, False)
        repeatable = request.method in REPEATABLE_METHODS or not database.committed
        if response.status_code < 500 or not lost or not repeatable:
            return response
        delattr(request, LOST_DATABASE)
        database.close()
        return self.get_response(request)

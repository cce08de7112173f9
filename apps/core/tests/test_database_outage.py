"""A PostgreSQL restart costs visitors a short wait, not an error page, and never a write done
twice (make reliability exercises the same with a real restart under load)."""

from unittest import mock

import pytest
from django.core.handlers.exception import convert_exception_to_response
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from apps.core.backends.postgresql.base import DatabaseWrapper
from apps.core.middleware import RetryAfterLostDatabaseMiddleware
from apps.core.models import RateLimitHit

on_postgresql = pytest.mark.skipif(
    not isinstance(connections[DEFAULT_DB_ALIAS], DatabaseWrapper),
    reason="the retry needs the PostgreSQL backend that tracks commits",
)


def serve(view, method: str = "post"):
    """The middleware in front of a view, as Django's handler chains them."""
    middleware = RetryAfterLostDatabaseMiddleware(convert_exception_to_response(view))
    request = getattr(RequestFactory(), method)("/anfragen/", {"body": "Hallo"})
    return convert_exception_to_response(middleware)(request)


def hit(client: str) -> None:
    RateLimitHit.objects.create(scope="outage-test", client=client, created_at=timezone.now())


@on_postgresql
@pytest.mark.django_db(transaction=True)
class TestRequestsThatLoseTheDatabase:
    def test_a_write_cut_off_before_its_commit_runs_again_and_is_stored_once(self):
        attempts = []

        def view(request):
            attempts.append(request.POST["body"])
            with transaction.atomic():
                hit("writer")
                if len(attempts) == 1:
                    raise OperationalError("terminating connection due to administrator command")
            return HttpResponse("gespeichert")

        response = serve(view)

        assert response.status_code == 200
        assert attempts == ["Hallo", "Hallo"]
        assert RateLimitHit.objects.filter(scope="outage-test").count() == 1

    def test_a_request_that_committed_before_the_break_is_not_repeated(self):
        attempts = []

        def view(request):
            attempts.append(request.POST["body"])
            with transaction.atomic():
                hit("writer")
            raise OperationalError("server closed the connection unexpectedly")

        response = serve(view)

        assert response.status_code == 500
        assert len(attempts) == 1
        assert RateLimitHit.objects.filter(scope="outage-test").count() == 1

    def test_a_page_view_that_marked_something_read_before_the_break_is_shown_after_all(self):
        attempts = []

        def view(request):
            attempts.append(1)
            with transaction.atomic():
                hit("reader")  # like the read marker of a conversation
            if len(attempts) == 1:
                raise OperationalError("terminating connection due to administrator command")
            return HttpResponse("Unterhaltung")

        assert serve(view, "get").status_code == 200
        assert len(attempts) == 2

    def test_other_errors_are_not_repeated(self):
        attempts = []

        def view(request):
            attempts.append(1)
            raise ValueError("a bug, not an outage")

        assert serve(view, "get").status_code == 500
        assert len(attempts) == 1

    def test_a_second_break_gives_the_error_page(self):
        attempts = []

        def view(request):
            attempts.append(1)
            raise OperationalError("the database system is shutting down")

        assert serve(view, "get").status_code == 500
        assert len(attempts) == 2


@on_postgresql
class TestNewConnections:
    def connect(self, failures: int, wait_seconds: float, settings):
        settings.DATABASE_CONNECT_WAIT_SECONDS = wait_seconds
        wrapper = DatabaseWrapper(connections[DEFAULT_DB_ALIAS].settings_dict)
        # Raised by psycopg itself: Django wraps it only further up.
        starting_up = DatabaseWrapper.Database.OperationalError(
            "the database system is starting up"
        )
        outcomes = [starting_up] * failures
        with (
            mock.patch(
                "django.db.backends.postgresql.base.DatabaseWrapper.get_new_connection",
                side_effect=[*outcomes, "connection"],
            ) as connect,
            mock.patch("time.sleep"),
        ):
            return wrapper.get_new_connection({}), connect.call_count

    def test_wait_for_a_restarting_server(self, settings):
        assert self.connect(failures=3, wait_seconds=10, settings=settings) == ("connection", 4)

    def test_give_up_when_the_server_stays_away(self, settings):
        with pytest.raises(DatabaseWrapper.Database.OperationalError):
            self.connect(failures=3, wait_seconds=0, settings=settings)

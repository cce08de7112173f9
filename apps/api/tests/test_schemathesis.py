"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis).

Every operation gets valid and invalid parameters generated from the schema; each answer must
be no server error, and must have a status code, content type and body the schema documents.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from transferhub.wsgi import application

SCHEMA_URL = "/api/v1/schema/"

# Loaded when pytest collects this module, from the running application (the schema view
# reads no database). schemathesis' test client calls itself "localhost".
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)


@pytest.fixture
def served_in_process(settings):
    """Requests go through the WSGI application inside the test's transaction. Django closes
    the database connection around each request it serves; like its own test client, these
    requests must keep it open."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        # The data is made once per operation and only read by the generated requests.
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_answers_as_its_schema_says(case, open_data, served_in_process):
    case.call_and_validate()


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        ("/api/v1/projects/{slug}/", {"slug": "rollender-dorfladen"}),
        ("/api/v1/projects/{slug}/sites/", {"slug": "rollender-dorfladen"}),
        ("/api/v1/organisations/{slug}/", {"slug": "dorfleben"}),
        ("/api/v1/offers/{slug}/", {"slug": "rollender-dorfladen"}),
    ],
)
def test_found_records_answer_as_the_schema_says(path, parameters, open_data, served_in_process):
    """Generated slugs hardly ever name a record; these do."""
    case = schema[path]["GET"].Case(path_parameters=parameters)

    response = case.call_and_validate()

    assert response.status_code == 200


def test_a_found_site_answers_as_the_schema_says(open_data, served_in_process):
    site = open_data.dorfladen.sites.get()
    case = schema["/api/v1/sites/{id}/"]["GET"].Case(path_parameters={"id": site.pk})

    assert case.call_and_validate().status_code == 200

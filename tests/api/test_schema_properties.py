"""Property-based tests of the JSON API against its own OpenAPI schema (schemathesis).

The schema is read from the application itself (WSGI, no server), logged in as a county administrator, with a
few households in the county. For every operation, generated requests (parameters that fit the schema and
parameters that do not, a bounded number of each, a fixed seed) must never get a 5xx, and every answer must conform to the schema: status code documented,
body and content type as declared. Runs on SQLite and on PostgreSQL (DATABASE_URL), where bad input used to 500.
"""

import itertools

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bangfu.registry.services import member_add
from tests.conftest import SONGBAI, ZHANGZHA_VILLAGE, synthetic_id

EXAMPLES = 50  # per operation, fixed seed (derandomize): the whole file runs in about 10 s on one core
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_session(db, county_admin, make_household):
    for village in (SONGBAI, ZHANGZHA_VILLAGE):
        household = make_household(village, head_name="属性测试户")
        member_add(actor=county_admin, household=household, data={"name": "成员", "relation": "son"},
                   id_number=synthetic_id("20010203"))
    client = Client()
    client.force_login(county_admin)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def wsgi_app(api_session):
    """The application as a WSGI server runs it, for the logged-in user's browser (its session cookie on every
    request), inside the test's transaction: like Django's test client, the request signals must not close the
    test's database connection."""
    handler = get_wsgi_application()

    def app(environ, start_response):
        environ["HTTP_COOKIE"] = api_session
        return handler(environ, start_response)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    # The schema needs a login too (issue 5): read it as the logged-in user would.
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


def _operations(schema) -> dict[str, object]:
    return {f"{op.method.upper()} {op.path}": op for op in (result.ok() for result in schema.get_all_operations())}


# Each operation's strategy driven by hypothesis directly (schemathesis' pytest integration, from_fixture, reads a
# pytest internal that pytest 9 no longer has).
def test_api_answers_as_documented_and_never_500(api_schema):
    operations = _operations(api_schema)
    assert operations
    for (name, operation), mode in itertools.product(sorted(operations.items()), GenerationMode):

        @hypothesis.given(case=operation.as_strategy(mode))
        @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def answers_as_documented(case):
            case.call_and_validate(checks=CHECKS)

        try:
            answers_as_documented()
        except Exception as error:
            error.add_note(f"operation: {name}, {mode} examples")
            raise


def test_the_schema_is_not_empty(api_schema):
    """The control: the property test above really covers the API's operations."""
    assert {"GET /api/v1/households/", "GET /api/v1/households/{household_id}"} <= set(_operations(api_schema))

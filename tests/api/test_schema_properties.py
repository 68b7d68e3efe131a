"""Property-based tests of the JSON API against its own OpenAPI schema (schemathesis).

The schema is read from the application itself (WSGI, no server). Every operation is called as a department
system or script calls it: with a bearer token that the service made (api_token_create, as `bangfu token create`
does) for a county administrator, scopes `read` and `feeds`, so the writes (a month's file, its commit and discard)
are reached, not stopped at the session's CSRF check. The data is committed as on a server (a transactional
test), so the preview and commit jobs run when the request's writes commit, as a worker would take them.

For every operation, generated requests (parameters that fit the schema and parameters that do not, a bounded
number of each, a fixed seed) must never get a 5xx, and every answer must conform to the schema: status code
documented, body and content type as declared. Where the schema allows a file, the draws include a real medical
insurance workbook of the county's people; in the examples that fit the schema, path and query parameters are
also drawn from real values (feed kinds, a month, the runs and households that exist, ledger kinds), so the
previews, commits, discards and reads run to the end. Runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

import itertools

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
import xlsxwriter
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from schemathesis.checks import not_a_server_error
from schemathesis.core.file_samples import FILE_SAMPLES
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.serialization import Binary

from bangfu.accounts.tokens import api_token_create
from bangfu.assistance.ledger import LEDGER_KIND_BY_KEY
from bangfu.ingest.models import ImportRun
from bangfu.monitoring.feeds import FEED_KINDS
from bangfu.registry.services import member_add
from tests.conftest import SONGBAI, ZHANGZHA_VILLAGE, synthetic_id
from tests.monitoring.factories import head

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 40  # per operation and mode, fixed seed (derandomize)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
HEADERS = ["序号", "患者姓名", "公民身份号码", "入院时间", "出院时间", "住院总费用", "统筹支付", "个人自付金额", "医院名称"]


@pytest.fixture
def households(county_admin, make_household):
    made = []
    for village in (SONGBAI, ZHANGZHA_VILLAGE):
        household = make_household(village, head_name="属性测试户")
        member_add(actor=county_admin, household=household, data={"name": "成员", "relation": "son"},
                   id_number=synthetic_id("20010203"))
        made.append(household)
    return made


@pytest.fixture
def medical_xlsx(tmp_path, households) -> bytes:
    """The county's people in hospital in October, one row with a bad ID number, as 医保局 sends them."""
    path = tmp_path / "医保10月.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("住院结算")
    sheet.write_string(0, 0, "九寨沟县2026年10月住院结算明细")
    for c, header in enumerate(HEADERS):
        sheet.write_string(1, c, header)
    people = [head(h) for h in households]
    rows = [[i, p.name, p.reveal_id_number(), "2026-10-03", "2026-10-08", 30000, 9000, 21000, "县医院"]
            for i, p in enumerate(people, start=1)]
    rows.append([9, "某某", "51322519800101001", "2026-10-10", "2026-10-12", 2000, 1500, 500, "县医院"])
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            (sheet.write_number if isinstance(value, int) else sheet.write_string)(r, c, value)
    book.close()
    return path.read_bytes()


@pytest.fixture
def api_token(county_admin) -> str:
    return api_token_create(actor=None, user=county_admin, scopes=["read", "feeds"], days=9)[1]


@pytest.fixture
def wsgi_app(county_admin, api_token):
    """The application as a WSGI server runs it. Every call carries the token; only the schema (which, like its
    docs page, is for staff logged in to the pages) is read with the administrator's browser session."""
    browser = Client()
    browser.force_login(county_admin)
    session = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    handler = get_wsgi_application()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/api/v1/openapi.json":
            environ["HTTP_COOKIE"] = session
        else:
            environ.pop("HTTP_COOKIE", None)
            environ["HTTP_AUTHORIZATION"] = f"Bearer {api_token}"
        return handler(environ, start_response)

    # As Django's test client does: the request signals must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_files(medical_xlsx):
    """Files drawn where the schema says `format: binary`: the real workbook first, then schemathesis' samples
    and arbitrary bytes."""
    schemathesis.openapi.format("binary", st.one_of(st.just(medical_xlsx), st.sampled_from(list(FILE_SAMPLES.values())),
                                                    st.binary()))
    yield
    from schemathesis.specs.openapi.formats import unregister_string_format

    unregister_string_format("binary")


@pytest.fixture
def api_schema(wsgi_app, real_files):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


def _operations(schema) -> dict[str, object]:
    return {f"{op.method.upper()} {op.path}": op for op in (result.ok() for result in schema.get_all_operations())}


def _real_values(households) -> dict[str, dict[str, list]]:
    """Values that name real things, by operation path prefix and parameter."""
    runs = list(ImportRun.objects.values_list("pk", flat=True))
    return {"/api/v1/feeds/": {"kind": sorted(FEED_KINDS), "period": ["2026-10", "2026-09"], "run_id": runs},
            "/api/v1/ledger/": {"kind": sorted(LEDGER_KIND_BY_KEY)},
            "/api/v1/households/": {"household_id": [h.pk for h in households]}}


def _with_real_values(case, data, real: dict[str, dict[str, list]]) -> None:
    for prefix, values in real.items():
        if not case.operation.path.startswith(prefix):
            continue
        for container in (case.path_parameters, case.query):
            for name in list(container or {}):
                if values.get(name) and data.draw(st.booleans(), label=f"real {name}"):
                    container[name] = data.draw(st.sampled_from(values[name]), label=name)


def _feed_runs(api_schema, medical_xlsx) -> None:
    """A few posted files (a month's real workbook, previewed) for the generated run ids to land on."""
    post = _operations(api_schema)["POST /api/v1/feeds/{kind}"]
    for _ in range(3):
        case = post.Case(path_parameters={"kind": "medical"}, query={"period": "2026-10", "wait": 5},
                         body={"file": Binary(medical_xlsx)}, media_type="multipart/form-data")
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 202 and response.json()["status"] == "previewed", response.text


def _answers_as_documented(operation, mode, real, seen: set[int]):
    """The property for one operation and generation mode, driven by hypothesis directly (schemathesis' pytest
    integration, from_fixture, reads a pytest internal that pytest 9 no longer has)."""

    @hypothesis.given(case=operation.as_strategy(mode), data=st.data())
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    def answers_as_documented(case, data):
        if mode == GenerationMode.POSITIVE:
            _with_real_values(case, data, real)
        seen.add(case.call_and_validate(checks=CHECKS).status_code)

    return answers_as_documented


def test_api_answers_as_documented_and_never_500(api_schema, households, medical_xlsx):
    operations = _operations(api_schema)
    statuses: dict[str, set[int]] = {name: set() for name in operations}
    for (name, operation), mode in itertools.product(sorted(operations.items()), GenerationMode):
        _feed_runs(api_schema, medical_xlsx)  # fresh previewed runs: the last operation may have committed them all
        try:
            _answers_as_documented(operation, mode, _real_values(households), statuses[name])()
        except Exception as error:
            error.add_note(f"operation: {name}, {mode} examples")
            raise
    # The walk reached each operation's work, not only its refusals: every operation answered a success.
    assert {name for name, seen in statuses.items() if not seen & {200, 202}} == set(), statuses


def test_the_schema_is_not_empty(api_schema):
    """The control: the property test above really covers the API's operations, writes included."""
    assert {"GET /api/v1/households/", "GET /api/v1/households/{household_id}", "POST /api/v1/feeds/{kind}",
            "POST /api/v1/feeds/runs/{run_id}/commit"} <= set(_operations(api_schema))

"""Rule 1: one door to data. A user bound to one place never sees or changes another place's households.

The cadre of 双河镇团结村 works in a county where 漳扎镇漳扎村 also has households. For every URL of the site
(the table below; a test walks the URL resolver so a new URL cannot be added without an entry here), the
漳扎 households are never returned, and posts aimed at them change nothing. Each refusal has a control: the
same request aimed at the cadre's own household succeeds, so a refusal cannot pass by accident.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assistance.models import LinkedVillage, Unit
from bangfu.monitoring.models import RiskWarning, Rule
from bangfu.regions.models import Region
from bangfu.registry.forms import HouseholdForm, IncomeRecordForm, MemberForm
from bangfu.registry.models import Household, Member
from bangfu.registry.services import household_update, income_record_save, member_add
from bangfu.reports.summaries import village_summaries_deferred
from tests.conftest import COUNTY, SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE, synthetic_id
from tests.support import db_fingerprint, form_data

pytestmark = pytest.mark.django_db

ZZ_PHONE = "10087654321"
SHARED_PHONE = "10012345678"  # the 团结村 household and the second 漳扎 household share it


@dataclass
class Target:
    """The household (and one of its members) a request is aimed at."""

    household: Household
    member: Member


@dataclass
class World:
    tuanjie: Target
    songbai: Household
    zz: Target
    zz2: Household
    zz_id_number: str

    @property
    def zz_households(self) -> list[Household]:
        return [self.zz.household, self.zz2]

    def zz_markers(self, *, links: bool = True) -> set[str]:
        """Text that only a page showing a 漳扎 household would contain (links to them: optional, since a
        refusal page may repeat the address that was asked for)."""
        markers = {ZZ_PHONE[:3] + "****" + ZZ_PHONE[-4:], self.zz.member.id_number_masked, "远方成员"}
        for household in self.zz_households:
            markers |= {household.number, household.head_name}
            if links:
                markers.add(f"/households/{household.pk}/")
        for member in Member.objects.filter(household__in=self.zz_households):
            markers.add(member.name)
            if links:
                markers.add(f"/households/members/{member.pk}/")
        return markers


@pytest.fixture
def world(make_household, county_admin) -> World:
    with village_summaries_deferred():  # one recount of the villages touched, at the end
        tuanjie = make_household(TUANJIE, number="8800000028", head_name="团结户主", phone=SHARED_PHONE)
        songbai = make_household(SONGBAI, number="8800000027", head_name="松柏户主")
        zz = make_household(ZHANGZHA_VILLAGE, number="8800000032", head_name="远方户主", phone=ZZ_PHONE,
                            monitoring_type="marginal", identified_month="202401", housing_safety="C")
        zz2 = make_household(ZHANGZHA_VILLAGE, number="8800000033", head_name="远方二户", phone=SHARED_PHONE)
        member_add(actor=county_admin, household=zz, data={"name": "远方成员", "relation": "son"},
                   id_number=synthetic_id())
        income_record_save(actor=county_admin, household=zz, year=2024,
                           data={"members_counted": 2, "wage_income": Decimal("30000")})
        income_record_save(actor=county_admin, household=tuanjie, year=2024, data={"members_counted": 1})
        zz_head = zz.members.get(relation="head")
        rule = Rule.objects.get(code="medical_stay_oop")
        for household in (tuanjie, songbai, zz, zz2):  # one open warning each, for the queue and the verify form
            RiskWarning.objects.create(household=household, village_id=household.village_id, rule=rule,
                                       evidence="2025年5月住院自付 12,000 元，超过一般农户单次 10,000 元的预警线",
                                       created_at=timezone.now(), updated_at=timezone.now())
        return World(tuanjie=Target(tuanjie, tuanjie.members.get()), songbai=songbai,
                     zz=Target(zz, zz_head), zz2=zz2, zz_id_number=zz_head.reveal_id_number())


def _login(client, user):
    client.force_login(user)
    return client


# --- the table of URLs that act on one household or member -------------------------------------------------


@dataclass(frozen=True)
class ObjectEndpoint:
    name: str
    url: Callable[[Target], str]
    methods: tuple[str, ...]
    post: Callable[[Target], dict] = field(default=lambda target: {})
    control_post_status: int = 302  # what the same POST aimed at one's own household answers
    control_post_writes: bool = True


def _household_url(name):
    return lambda target: reverse(name, args=[target.household.pk])


def _member_url(name):
    return lambda target: reverse(name, args=[target.member.pk])


def _household_form(target):
    household = target.household
    form = HouseholdForm(instance=household, villages=Region.objects.filter(code=household.village_id))
    return form_data(form, group="被改", phone="10000000000")


def _member_add_form(target):
    return form_data(MemberForm(), name="新加成员", id_number=synthetic_id(), relation="son")


def _member_edit_form(target):
    return form_data(MemberForm(instance=target.member), name="被改名", id_number=synthetic_id())


def _income_form(target):
    return form_data(IncomeRecordForm(), year="2023", members_counted="2", wage_income="1234")


def _warning_url(target):
    return reverse("monitoring:warning_detail", args=[RiskWarning.objects.get(household=target.household).pk])


def _verify_form(target):
    return {"outcome": "confirmed", "visit_date": "2025-06-01", "visit_notes": "入户核实，住院属实"}


OBJECT_ENDPOINTS = [
    ObjectEndpoint("registry:household_detail", _household_url("registry:household_detail"), ("get", "post"),
                   control_post_status=200, control_post_writes=False),
    ObjectEndpoint("registry:household_edit", _household_url("registry:household_edit"), ("get", "post"),
                   post=_household_form),
    ObjectEndpoint("registry:household_phone_reveal", _household_url("registry:household_phone_reveal"), ("post",),
                   control_post_status=200),
    ObjectEndpoint("registry:member_add", _household_url("registry:member_add"), ("get", "post"),
                   post=_member_add_form),
    ObjectEndpoint("registry:income_add", _household_url("registry:income_add"), ("get", "post"), post=_income_form),
    ObjectEndpoint("registry:income_edit",
                   lambda target: reverse("registry:income_edit", args=[target.household.pk, 2024]), ("get", "post"),
                   post=lambda target: form_data(IncomeRecordForm(instance=target.household.income_records.get(
                       year=2024)), members_counted="2", wage_income="4321")),
    # An active household has nothing to reopen: the form answers on the page and writes nothing.
    ObjectEndpoint("registry:household_reopen", _household_url("registry:household_reopen"), ("get", "post"),
                   post=lambda target: {"reason": "误销户"}, control_post_status=200, control_post_writes=False),
    ObjectEndpoint("registry:member_edit", _member_url("registry:member_edit"), ("get", "post"),
                   post=_member_edit_form),
    ObjectEndpoint("registry:member_remove", _member_url("registry:member_remove"), ("get", "post"),
                   post=lambda target: {"reason": "moved_out", "version": target.member.version}),
    ObjectEndpoint("registry:member_id_reveal", _member_url("registry:member_id_reveal"), ("post",),
                   control_post_status=200),
    ObjectEndpoint("monitoring:warning_detail", _warning_url, ("get", "post"), post=_verify_form),
    ObjectEndpoint("monitoring:lead_create", lambda target: reverse("monitoring:lead_create",
                                                                    args=[target.household.pk]),
                   ("get", "post"), post=lambda target: {"risk_type": "medical", "difficulty": "走访发现住院花费大"}),
    ObjectEndpoint("api:household_detail",
                   lambda target: reverse("api:household_detail", kwargs={"household_id": target.household.pk}),
                   ("get",)),
]


def _object_cases():
    for endpoint in OBJECT_ENDPOINTS:
        for method in ("get", "post"):
            yield pytest.param(endpoint, method, id=f"{endpoint.name}-{method.upper()}")


def _assert_no_markers(response, markers, *, except_for=()):
    content = response.content.decode()
    leaked = {m for m in markers if m and m not in except_for and m in content}
    assert not leaked, f"{response.request['PATH_INFO']} shows 漳扎 data: {sorted(leaked)}"


@pytest.mark.parametrize(("endpoint", "method"), list(_object_cases()))
def test_other_township_household_is_out_of_reach(client, world, tuanjie_cadre, endpoint, method):
    _login(client, tuanjie_cadre)
    before = db_fingerprint()
    url = endpoint.url(world.zz)
    response = client.post(url, endpoint.post(world.zz)) if method == "post" else client.get(url)
    expected = {403, 404} if method in endpoint.methods else {405}
    assert response.status_code in expected, f"{method.upper()} {url} answered {response.status_code}"
    _assert_no_markers(response, world.zz_markers(links=False) | {world.zz_id_number, ZZ_PHONE})
    assert db_fingerprint() == before


def _control_cases():
    for endpoint in OBJECT_ENDPOINTS:
        for method in endpoint.methods:
            yield pytest.param(endpoint, method, id=f"{endpoint.name}-{method.upper()}")


def _without_releases(fingerprint: dict) -> dict:
    """The fingerprint less the log of releases of named data (an API answer, a document), which a read writes."""
    return {**fingerprint, "RevealRecord": [r for r in fingerprint["RevealRecord"]
                                            if r["field"] not in ("api", "document", "export_named")]}


@pytest.mark.parametrize(("endpoint", "method"), list(_control_cases()))
def test_same_request_on_own_household_works(client, world, tuanjie_cadre, endpoint, method):
    """The control: the refusal above is about jurisdiction, not a broken request."""
    _login(client, tuanjie_cadre)
    before = db_fingerprint()
    url = endpoint.url(world.tuanjie)
    if method == "get":
        response = client.get(url)
        assert response.status_code == 200
        assert _without_releases(db_fingerprint()) == _without_releases(before)  # a read writes only its log
        return
    response = client.post(url, endpoint.post(world.tuanjie))
    form = (response.context or {}).get("form")
    assert response.status_code == endpoint.control_post_status, form.errors if form else response.content[:300]
    assert (db_fingerprint() != before) == endpoint.control_post_writes


# --- the table of URLs that list households ----------------------------------------------------------------


@dataclass(frozen=True)
class ListingEndpoint:
    name: str
    returned: Callable  # response -> set of household ids shown
    headers: dict = field(default_factory=dict)
    id: str = ""


def _page_ids(response) -> set[int]:
    return {household.pk for household in response.context["page"].object_list}


def _api_ids(response) -> set[int]:
    body = response.json()
    ids = {row["id"] for row in body["results"]}
    assert body["count"] == len(ids)
    return ids


LISTING_ENDPOINTS = [
    ListingEndpoint("registry:household_list", _page_ids, id="page"),
    ListingEndpoint("registry:household_list", _page_ids, headers={"HX-Request": "true"}, id="page-htmx"),
    ListingEndpoint("api:household_list", _api_ids, id="api"),
    ListingEndpoint("monitoring:warning_list",
                    lambda response: {w.household_id for w in response.context["page"].object_list}, id="warnings"),
]

# Each query is aimed at the 漳扎 households: as county administrator it finds them (the control).
QUERIES: dict[str, Callable[[World], dict]] = {
    "no-filter": lambda w: {},
    "region-zhangzha-town": lambda w: {"region": ZHANGZHA_TOWN},
    "region-zhangzha-village": lambda w: {"region": ZHANGZHA_VILLAGE},
    "region-county": lambda w: {"region": COUNTY},
    "q-head-name": lambda w: {"q": w.zz.household.head_name},
    "q-member-name": lambda w: {"q": "远方成员"},
    "q-household-number": lambda w: {"q": w.zz.household.number},
    "q-id-number": lambda w: {"q": w.zz_id_number},
    "q-id-number-as-typed": lambda w: {"q": f" {w.zz_id_number[:6]} {w.zz_id_number[6:].lower()} "},
    "q-phone": lambda w: {"q": ZZ_PHONE},
    "q-shared-phone": lambda w: {"q": SHARED_PHONE},
    "q-number-and-region": lambda w: {"q": w.zz.household.number, "region": ZHANGZHA_VILLAGE},
    "monitored": lambda w: {"monitoring_status": "monitored"},
    "unsafe-housing": lambda w: {"unsafe_housing": "on", "region": ZHANGZHA_TOWN},
}


def _listing_cases():
    for endpoint in LISTING_ENDPOINTS:
        for query in QUERIES:
            yield pytest.param(endpoint, query, id=f"{endpoint.name}-{endpoint.id}-{query}")


@pytest.mark.parametrize(("endpoint", "query"), list(_listing_cases()))
def test_lists_never_return_other_township(client, world, tuanjie_cadre, endpoint, query):
    _login(client, tuanjie_cadre)
    params = QUERIES[query](world)
    response = client.get(reverse(endpoint.name), params, headers=endpoint.headers)
    assert response.status_code == 200
    returned = endpoint.returned(response)
    assert returned <= {world.tuanjie.household.pk}
    typed = {value.strip() for value in params.values()}
    _assert_no_markers(response, world.zz_markers(), except_for=typed)


@pytest.mark.parametrize(("endpoint", "query"), list(_listing_cases()))
def test_same_list_finds_them_for_the_county(client, world, county_admin, endpoint, query):
    """The control: each query does find the 漳扎 households when the user may see them."""
    _login(client, county_admin)
    response = client.get(reverse(endpoint.name), QUERIES[query](world), headers=endpoint.headers)
    assert response.status_code == 200
    assert endpoint.returned(response) & {h.pk for h in world.zz_households}


def test_own_household_is_found_by_the_same_searches(client, world, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    own = world.tuanjie.household
    for q in (own.number, own.head_name, SHARED_PHONE, own.members.get().reveal_id_number()):
        assert _api_ids(client.get(reverse("api:household_list"), {"q": q})) == {own.pk}, q


def test_duplicate_id_message_does_not_reveal_another_township(world, tuanjie_cadre, counts):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=tuanjie_cadre, household=world.tuanjie.household, data={"name": "某人", "relation": "son"},
                   id_number=world.zz_id_number)
    assert counts() == before
    message = caught.value.message_dict["id_number"][0]
    assert "已在其他地方登记" in message and "县级管理员" in message
    assert not {m for m in world.zz_markers(links=False) if m in message}, message
    assert "漳扎" not in message  # not even the township (issue 5: it told where people are registered)


# --- creating in another township --------------------------------------------------------------------------


def _create_form(village_code: str) -> dict:
    form = HouseholdForm(villages=Region.objects.filter(code=village_code))
    return form_data(form, number="8800000014", village=village_code, phone=SHARED_PHONE)


def test_create_form_offers_only_own_villages(client, world, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    response = client.get(reverse("registry:household_create"), {"village": ZHANGZHA_VILLAGE})
    assert response.status_code == 200
    offered = set(response.context["form"].fields["village"].queryset.values_list("code", flat=True))
    assert offered == {TUANJIE}
    assert f'value="{ZHANGZHA_VILLAGE}"' not in response.content.decode()


def test_cannot_create_in_other_township(client, world, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    before = db_fingerprint()
    response = client.post(reverse("registry:household_create"), _create_form(ZHANGZHA_VILLAGE))
    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert db_fingerprint() == before


def test_create_in_own_village_works(client, world, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    response = client.post(reverse("registry:household_create"), _create_form(TUANJIE))
    assert response.status_code == 302
    assert Household.objects.get(number="8800000014").village_id == TUANJIE


def test_cannot_move_own_household_into_other_township(client, world, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    own = world.tuanjie.household
    before = db_fingerprint()
    data = form_data(HouseholdForm(instance=own, villages=Region.objects.filter(code=TUANJIE)),
                     village=ZHANGZHA_VILLAGE)
    response = client.post(reverse("registry:household_edit", args=[own.pk]), data)
    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert db_fingerprint() == before


# --- the shell: work bench and audit log -------------------------------------------------------------------


def _home_totals(client) -> dict:
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return {indicator.key: value for indicator, value in response.context["indicators"]}


def test_home_counts_only_own_jurisdiction(client, world, tuanjie_cadre, county_admin):
    _login(client, tuanjie_cadre)
    totals = _home_totals(client)
    assert (totals["households"], totals["people"], totals["monitored"], totals["unsafe_housing"]) == (1, 1, 0, 0)
    response = client.get(reverse("web:home"))
    _assert_no_markers(response, world.zz_markers())
    assert "漳扎镇" not in response.content.decode()
    _login(client, county_admin)
    totals = _home_totals(client)
    assert (totals["households"], totals["people"], totals["monitored"], totals["unsafe_housing"]) == (4, 5, 1, 1)


@pytest.fixture
def shuanghe_auditor(regions):
    return User.objects.create_user(username="shuanghe_auditor", password="pw-for-tests-1", role="auditor",
                                    region_id=SHUANGHE)


def test_audit_log_is_refused_to_a_cadre(client, world, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    response = client.get(reverse("web:audit_log"))
    assert response.status_code == 403
    _assert_no_markers(response, world.zz_markers())


def test_audit_log_shows_only_own_jurisdiction(client, world, shuanghe_auditor, county_admin):
    household_update(actor=county_admin, household=world.zz.household, data={"group": "远方组"})
    _login(client, shuanghe_auditor)
    response = client.get(reverse("web:audit_log"))
    assert response.status_code == 200
    records = list(response.context["page"].object_list)
    assert records and {r.region_code for r in records} <= {TUANJIE, SONGBAI}
    assert world.tuanjie.household.number in response.content.decode()
    _assert_no_markers(response, world.zz_markers() | {"远方组"})


# --- other users: a township reviewer, the county, an assisting unit ---------------------------------------


def _visible_ids(client) -> tuple[set[int], set[int]]:
    page = client.get(reverse("registry:household_list"))
    api = client.get(reverse("api:household_list"))
    assert page.status_code == api.status_code == 200
    return _page_ids(page), _api_ids(api)


def test_township_reviewer_sees_both_villages_of_the_township_only(client, world, shuanghe_reviewer):
    _login(client, shuanghe_reviewer)
    expected = {world.tuanjie.household.pk, world.songbai.pk}
    assert _visible_ids(client) == (expected, expected)
    assert client.get(reverse("registry:household_detail", args=[world.songbai.pk])).status_code == 200
    assert client.get(reverse("registry:household_detail", args=[world.zz.household.pk])).status_code == 404
    assert client.get(reverse("api:household_detail", args=[world.zz.household.pk])).status_code == 404


def test_county_admin_sees_every_household(client, world, county_admin):
    _login(client, county_admin)
    expected = {world.tuanjie.household.pk, world.songbai.pk, world.zz.household.pk, world.zz2.pk}
    assert _visible_ids(client) == (expected, expected)
    response = client.get(reverse("api:household_detail", args=[world.zz.household.pk]))
    assert response.status_code == 200
    assert response.json()["number"] == "8800000032"


def test_zhangzha_cadre_sees_only_zhangzha(client, world, zhangzha_cadre):
    _login(client, zhangzha_cadre)
    expected = {world.zz.household.pk, world.zz2.pk}
    assert _visible_ids(client) == (expected, expected)
    assert client.get(reverse("registry:household_detail", args=[world.tuanjie.household.pk])).status_code == 404


def test_assisting_unit_sees_only_its_linked_villages(client, world, regions):
    unit = Unit.objects.create(name="测试帮扶单位", county=regions[COUNTY])
    LinkedVillage.objects.create(unit=unit, village=regions[TUANJIE], since=dt.date(2024, 1, 1))
    liaison = User.objects.create_user(username="liaison", password="pw-for-tests-1", role="unit_liaison", unit=unit)
    _login(client, liaison)
    expected = {world.tuanjie.household.pk}
    assert _visible_ids(client) == (expected, expected)
    assert client.get(reverse("registry:household_detail", args=[world.zz.household.pk])).status_code == 404


def test_anonymous_gets_nothing(client, world):
    page = client.get(reverse("registry:household_detail", args=[world.zz.household.pk]))
    assert page.status_code == 302 and page["Location"].startswith(reverse("web:login"))
    api = client.get(reverse("api:household_list"))
    assert api.status_code == 401
    _assert_no_markers(api, world.zz_markers())


def test_inactive_user_sees_nothing(client, world, tuanjie_cadre):
    from bangfu.registry.selectors import households_visible_to

    tuanjie_cadre.is_active = False
    assert not households_visible_to(tuanjie_cadre).exists()


# --- nobody adds an unchecked URL --------------------------------------------------------------------------

# URLs that show no household data and act on none; each with the reason.
EXEMPT = {
    "web:login": "the login form",
    "web:login_totp": "the login's second step (a code form); a logged-in user is sent on, nobody sees data",
    "web:logout": "ends the session",
    "web:healthz": "liveness probe: database and worker state, no household data",
    "set_language": "stores the language choice in a cookie",
    "api:openapi-json": "the API schema: no data (see test_api_schema_lists_only_checked_endpoints)",
    "api:openapi-view": "the API documentation page: no data",
    "api:api-root": "django-ninja's API root: shadowed by api_index (a JSON 404)",
    "api_index": "the bare /api/v1/: a JSON 404 naming the docs, no data",
    "api_not_found": "a path under /api/ that names no operation: a JSON 404, no data",
    "monitoring:lines": "monitoring configuration: no household data (tests/monitoring/test_lines_page.py)",
    "monitoring:rule_list": "warning rules: configuration, no household data",
    "monitoring:self_report_done": "a constant thank-you page after a self-report",
    "cases:workflow_config": "the transition table and deadlines: no household data (tests/cases/test_pages.py)",
    "offline:my_village": "我的村's shell: the script fills it from the phone's copy, the page itself holds no data",
    "offline:key": "the phone's encryption key and a CSRF token: no household data",
    "offline:service_worker": "the service worker's script: no data",
    "offline:manifest": "the web app manifest: no data",
}
ASSISTANCE_CHECK = ("tests/assistance/test_pages_refuse_other_unit.py (every write refused for another unit, with "
                    "controls; reads scoped by unit)")
SETUP_CHECK = ("tests/assistance/test_setup_pages.py (every setup write refused to a liaison, a leader and an admin "
               "bound below the county, nothing written; the county administrator's control succeeds)")
RELOCATION_CHECK = "tests/relocation/test_pages.py::test_a_cadre_sees_and_changes_only_his_own"
CARE_CHECK = "tests/care/test_pages.py::test_lists_and_facts_stay_in_jurisdiction"
# URLs checked by dedicated tests above rather than by the two tables.
CHECKED_ELSEWHERE = {
    # 恢复为上级设置: configuration, no household data; the view reverts the actor's own region only (no region in
    # the URL), the service refuses anyone but that region's administrator
    "web:config_revert": "tests/regions/test_config_inheritance.py (another county's and the prefecture's "
                         "administrators refused, the county's own rows unchanged; the county's own revert works)",
    "monitoring:line_revert": "tests/regions/test_config_inheritance.py (the same, for one year's monitoring line)",
    "registry:household_create": "test_cannot_create_in_other_township, test_create_form_offers_only_own_villages",
    "web:home": "test_home_counts_only_own_jurisdiction",
    "offline:bundle": "tests/offline/test_offline_sync.py (the copy holds only the cadre's village; a township has none)",
    "offline:sync": "tests/offline/test_offline_sync.py (outside the cadre's village refused, own works)",
    # Dashboards, map and statistics: a place or unit outside the reader's reach is 404, figures count their own.
    "reports:dashboard": "tests/reports/test_dashboard_jurisdiction.py (other township 404, own opens, own counts)",
    "reports:county_map": "tests/reports/test_dashboard_jurisdiction.py (other township 404, own opens)",
    "reports:statistics": "tests/reports/test_dashboard_jurisdiction.py (other township 404, own opens)",
    "web:list_export": "tests/web/test_list_exports.py (each list's file holds only the rows in scope)",
    "cases:case_detail": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:case_advance": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:case_reverse": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:household_assistance": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:case_open": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:measure_add": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:measure_edit": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:contact_set": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:visit_add": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:elimination_propose": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:card": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:notice": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:transition_edit": "one row of the transition table, no household data, county only "
                             "(tests/cases/test_pages.py::test_config_is_county_only_and_audited)",
    "cases:measure_category_edit": "one row of the measure catalogue, no household data, county only "
                                   "(tests/cases/test_measure_limits.py::test_the_catalogue_page_is_county_only)",
    "cases:case_open_from_lead": "tests/cases/test_case_jurisdiction.py (other township refused, own works)",
    "cases:lead_detail": "tests/cases/test_lead_dead_ends.py::test_another_villages_cadre_is_refused_every_act",
    "cases:lead_attach": "tests/cases/test_lead_dead_ends.py::test_another_villages_cadre_is_refused_every_act",
    "cases:lead_close": "tests/cases/test_lead_dead_ends.py::test_another_villages_cadre_is_refused_every_act",
    "cases:lead_register": "tests/cases/test_lead_dead_ends.py::test_another_villages_cadre_is_refused_every_act",
    "cases:case_list": "tests/cases/test_case_jurisdiction.py::test_lists_and_queue_show_only_own_cases",
    "cases:quality_report": "tests/cases/test_case_jurisdiction.py::test_lists_and_queue_show_only_own_cases",
    "web:audit_log": "test_audit_log_is_refused_to_a_cadre, test_audit_log_shows_only_own_jurisdiction",
    "registry:household_export": "tests/registry/test_household_export.py (scoped rows, refused roles)",
    # Imports: a run is its uploader's alone; what a file may write is limited to the uploader's villages.
    "ingest:import_template": "tests/ingest/test_import_pages.py::test_template_reads_back_as_a_ledger (no one's data)",
    "ingest:import_start": "tests/ingest/test_import_pages.py::test_upload_preview_commit_in_own_village",
    "ingest:import_detail": "tests/ingest/test_import_pages.py::test_another_users_import_is_not_found",
    "ingest:import_map": "tests/ingest/test_import_pages.py::test_another_users_import_is_not_found",
    "ingest:import_commit": "tests/ingest/test_import_pages.py::test_another_users_import_is_not_found",
    "jobs:job_list": "tests/jobs/test_jobs.py::test_only_the_requester_sees_a_job_and_its_file",
    "jobs:job_detail": "tests/jobs/test_jobs.py::test_only_the_requester_sees_a_job_and_its_file",
    "jobs:job_download": "tests/jobs/test_jobs.py::test_only_the_requester_sees_a_job_and_its_file",
    "monitoring:lead_list": "tests/monitoring/test_pages.py::test_leads_only_within_jurisdiction",
    "monitoring:self_report": "tests/monitoring/test_pages.py::test_self_report_* (public form; shows no data)",
    "monitoring:rule_edit": "tests/monitoring/test_pages.py::test_only_the_county_edits_rules (no household data)",
    "monitoring:screening_list": "tests/monitoring/test_pages.py::test_screening_page_* (counts only)",
    "monitoring:feed_upload": "tests/monitoring/test_pages.py::test_feed_upload_* (matches within the uploader's "
                              "jurisdiction), test_a_clerk_uploads_only_its_departments_kinds",
    "monitoring:feed_run": "tests/monitoring/test_pages.py::test_feed_upload_reject_writes_nothing_and_runs_are_personal",
    "monitoring:feed_run_map": "tests/monitoring/test_pages.py::test_an_unknown_column_is_mapped_and_remembered "
                               "(the uploader's own run only)",
    "monitoring:feed_run_decide": "tests/monitoring/test_pages.py::"
                                  "test_feed_upload_reject_writes_nothing_and_runs_are_personal",
    "monitoring:feed_upload_errors": "tests/monitoring/test_pages.py::"
                                     "test_the_problem_list_stays_with_the_upload_after_commit (own department only)",
    # Accounts, not households: scoped by the same region subtree (another county's accounts are 404).
    "accounts:user_list": "tests/accounts/test_user_jurisdiction.py::test_list_never_shows_other_county, "
                          "tests/accounts/test_user_capability.py",
    "accounts:user_create": "tests/accounts/test_user_jurisdiction.py::test_cannot_create_in_other_county, "
                            "tests/accounts/test_user_capability.py",
    "accounts:user_edit": "tests/accounts/test_user_jurisdiction.py::test_other_county_accounts_are_404, "
                          "tests/accounts/test_user_capability.py",
    "accounts:user_password": "tests/accounts/test_user_jurisdiction.py::test_other_county_accounts_are_404, "
                              "tests/accounts/test_user_capability.py",
    # The API's reads and department-file runs: the pages' selectors, for a token or a session.
    "api:warning_list": "tests/api/test_api_reads_scoped.py::test_a_village_token_reads_its_village_only",
    "api:lead_list": "tests/api/test_api_reads_scoped.py::test_a_village_token_reads_its_village_only",
    "api:case_list": "tests/api/test_api_reads_scoped.py::test_a_village_token_reads_its_village_only",
    "api:ledger_list": "tests/api/test_api_reads_scoped.py::test_a_unit_token_reads_its_own_ledger_only",
    "api:feed_post": "tests/api/test_feeds_api.py::test_a_department_posts_only_its_own_kind_with_the_pages_message "
                     "(matches within the uploader's jurisdiction, as the page)",
    "api:feed_run_get": "tests/api/test_feeds_api.py::test_another_users_run_is_not_found_and_discard_writes_nothing",
    "api:feed_run_commit": "tests/api/test_feeds_api.py::test_another_users_run_is_not_found_and_discard_writes_"
                           "nothing",
    "api:feed_run_discard": "tests/api/test_feeds_api.py::test_another_users_run_is_not_found_and_discard_writes_"
                            "nothing",
    # API tokens of an account: the same door as the account's page (another county's accounts are 404); the
    # token itself acts as its user through the API's selectors (tests/api/test_api_reads_scoped.py).
    "accounts:user_tokens": "tests/api/test_api_tokens.py::test_only_an_administrator_of_the_users_region_manages_"
                            "its_tokens, tests/accounts/test_user_capability.py",
    "accounts:user_token_revoke": "tests/api/test_api_tokens.py::test_only_an_administrator_of_the_users_region_"
                                  "manages_its_tokens",
    # The second login step: one's own account only, no household data; administrators only (403 for others).
    "accounts:totp_setup": "tests/accounts/test_totp.py::test_only_administrators_reach_the_totp_pages, "
                           "tests/accounts/test_user_capability.py",
    "accounts:totp_disable": "tests/accounts/test_totp.py::test_only_administrators_reach_the_totp_pages, "
                             "tests/accounts/test_user_capability.py",
    "accounts:user_totp_reset": "tests/accounts/test_totp.py::test_reset_of_another_county_account_is_404, "
                                "tests/accounts/test_user_capability.py",
    # Paired assistance: records of units, not households; scoped by unit (assistance.selectors.units_visible_to).
    "assistance:home": ASSISTANCE_CHECK,
    "assistance:ledger_list": ASSISTANCE_CHECK,
    "assistance:ledger_create": ASSISTANCE_CHECK,
    "assistance:ledger_export": ASSISTANCE_CHECK,
    "assistance:ledger_detail": ASSISTANCE_CHECK,
    "assistance:ledger_edit": ASSISTANCE_CHECK,
    "assistance:ledger_delete": ASSISTANCE_CHECK,
    "assistance:ledger_evidence": ASSISTANCE_CHECK,
    "assistance:evidence_download": ASSISTANCE_CHECK,
    "assistance:plan": ASSISTANCE_CHECK,
    "assistance:evaluation": ASSISTANCE_CHECK,
    "assistance:briefing": ASSISTANCE_CHECK,
    "assistance:unit_edit": ASSISTANCE_CHECK,
    "assistance:unit_report": ASSISTANCE_CHECK,
    "assistance:cadre_list": ASSISTANCE_CHECK,
    "assistance:cadre_create": ASSISTANCE_CHECK,
    "assistance:cadre_detail": ASSISTANCE_CHECK,
    "assistance:cadre_edit": ASSISTANCE_CHECK,
    "assistance:cadre_end": ASSISTANCE_CHECK,
    "assistance:leave_list": ("tests/assistance/test_cadres_act_for_themselves.py (the township sees and decides its "
                              "villages' leave only)"),
    "assistance:check_in": ASSISTANCE_CHECK,
    "assistance:leave_submit": ASSISTANCE_CHECK,
    "assistance:leave_decide": ASSISTANCE_CHECK,
    "assistance:meeting_list": ASSISTANCE_CHECK,
    "assistance:meeting_create": ASSISTANCE_CHECK,
    "assistance:meeting_detail": ASSISTANCE_CHECK,
    "assistance:meeting_edit": ASSISTANCE_CHECK,
    "assistance:unit_report_edit": ASSISTANCE_CHECK,
    "assistance:meeting_briefing": ASSISTANCE_CHECK,
    "assistance:meeting_minutes": ASSISTANCE_CHECK,
    "assistance:speech_create": ASSISTANCE_CHECK,
    "assistance:speech_delete": ASSISTANCE_CHECK,
    "assistance:need_create": ASSISTANCE_CHECK,
    "assistance:need_update": ASSISTANCE_CHECK,
    "assistance:task_create": ASSISTANCE_CHECK,
    "assistance:task_update": ASSISTANCE_CHECK,
    "assistance:finding_list": ASSISTANCE_CHECK,
    "assistance:finding_create": ASSISTANCE_CHECK,
    "assistance:finding_detail": ASSISTANCE_CHECK,
    "assistance:finding_evidence": ASSISTANCE_CHECK,
    "assistance:finding_sign_off": ASSISTANCE_CHECK,
    "assistance:finding_return": ASSISTANCE_CHECK,
    "assistance:settings": ASSISTANCE_CHECK,
    # Setting the work up: the county's own (units, links, plans, targets, role holders), no household data.
    **{f"assistance:{name}": SETUP_CHECK for name in (
        "unit_list", "unit_new", "unit_detail", "link_add", "link_end", "plan_list", "plan_new", "plan_detail",
        "plan_version_add", "plan_comment_add", "plan_adopt", "plan_targets", "plan_targets_template",
        "plan_targets_import", "role_holders", "role_holder_end")},
    # Relocation follow-up and care lists (issue 19): scoped by the registry's door, refusals with controls.
    "relocation:coverage": RELOCATION_CHECK,
    "relocation:household_list": RELOCATION_CHECK,
    "relocation:household": RELOCATION_CHECK,
    "relocation:employment_remove": RELOCATION_CHECK,
    "relocation:employment_import": "tests/relocation/test_pages.py::test_sites_are_the_countys_to_edit (county only)",
    "relocation:site_list": RELOCATION_CHECK,
    "relocation:site_create": "tests/relocation/test_pages.py::test_sites_are_the_countys_to_edit (county only)",
    "relocation:site_edit": "tests/relocation/test_pages.py::test_sites_are_the_countys_to_edit (county only)",
    "care:index": CARE_CHECK,
    "care:group_list": CARE_CHECK,
    "care:visit_queue": CARE_CHECK,
    "care:household_visits": "tests/care/test_pages.py::test_cadre_home_shows_due_visits_and_a_visit_clears_it",
    "care:member_facts": CARE_CHECK,
    "care:settings": "tests/care/test_pages.py::test_settings_are_the_countys (configuration, no household data)",
}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names |= _url_names(pattern, full)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            names.add(f"{namespace}:{name}" if namespace else name)
    return names


def test_every_url_is_in_the_jurisdiction_table():
    checked = ({e.name for e in OBJECT_ENDPOINTS} | {e.name for e in LISTING_ENDPOINTS} | set(CHECKED_ELSEWHERE)
               | set(EXEMPT))
    names = _url_names(get_resolver())
    unchecked = names - checked
    assert not unchecked, (f"URLs without a jurisdiction check: {sorted(unchecked)}. Add each to OBJECT_ENDPOINTS "
                           "or LISTING_ENDPOINTS in tests/registry/test_jurisdiction.py (or to EXEMPT with a reason "
                           "if it shows no household data).")
    stale = checked - names
    assert not stale, f"the table names URLs that no longer exist: {sorted(stale)}"


def test_api_schema_lists_only_checked_endpoints(client, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    schema = client.get(reverse("api:openapi-json")).json()
    # Households here; warnings, leads, cases and the ledger in tests/api/test_api_reads_scoped.py; department files
    # are the uploader's own runs (tests/api/test_feeds_api.py).
    assert set(schema["paths"]) == {
        "/api/v1/households/", "/api/v1/households/{household_id}", "/api/v1/warnings", "/api/v1/leads",
        "/api/v1/cases", "/api/v1/ledger/{kind}", "/api/v1/feeds/{kind}", "/api/v1/feeds/runs/{run_id}",
        "/api/v1/feeds/runs/{run_id}/commit", "/api/v1/feeds/runs/{run_id}/discard"}


@pytest.mark.parametrize("name", sorted(EXEMPT))
def test_exempt_urls_show_no_household_data(client, world, tuanjie_cadre, name):
    _login(client, tuanjie_cadre)
    response = client.get(reverse(name))
    assert response.status_code in {200, 302, 404, 405}
    _assert_no_markers(response, world.zz_markers() | {world.tuanjie.household.number})


def test_phone_typed_with_spaces_finds_own_household_only(client, world, tuanjie_cadre):
    _login(client, tuanjie_cadre)
    spaced = f"{SHARED_PHONE[:3]} {SHARED_PHONE[3:7]} {SHARED_PHONE[7:]}"
    assert _api_ids(client.get(reverse("api:household_list"), {"q": spaced})) == {world.tuanjie.household.pk}

"""Cases open from the early-warning module's leads: a cadre's visit, a confirmed warning, a self-report."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from bangfu.cases.models import Case
from bangfu.cases.services import case_open_from_lead
from bangfu.monitoring.models import Lead
from bangfu.monitoring.services import lead_from_visit
from tests.conftest import ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(make_household, tuanjie_cadre, defaults, today):
    household = make_household()
    return lead_from_visit(actor=tuanjie_cadre, household=household, risk_type="medical",
                           difficulty="户主住院，自付费用高")


def test_a_lead_becomes_a_case_and_is_taken(lead, tuanjie_cadre):
    case = case_open_from_lead(actor=tuanjie_cadre, lead=lead)
    assert (case.lead_id, case.source, case.summary, case.state) == (lead.pk, "cadre_report", "户主住院，自付费用高",
                                                                     "verification")
    lead.refresh_from_db()
    assert lead.state == "taken"
    with pytest.raises(ValidationError, match="已纳入识别"):
        case_open_from_lead(actor=tuanjie_cadre, lead=lead)
    assert Case.objects.count() == 1


def test_a_lead_of_another_township_is_refused(make_household, zhangzha_cadre, tuanjie_cadre, defaults, today):
    other = lead_from_visit(actor=zhangzha_cadre, household=make_household(ZHANGZHA_VILLAGE), risk_type="medical",
                            difficulty="外村的线索内容")
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        case_open_from_lead(actor=tuanjie_cadre, lead=other)
    other.refresh_from_db()
    assert other.state == "new" and not Case.objects.exists()


def test_a_self_report_without_a_household_says_so(regions, tuanjie_cadre, defaults, today):
    report = Lead.objects.create(source="self_report", village=regions["513225103213"], risk_type="medical",
                                 difficulty="看病花钱多")
    with pytest.raises(ValidationError, match="尚未对应到在册农户"):
        case_open_from_lead(actor=tuanjie_cadre, lead=report)
    report.refresh_from_db()
    assert report.state == "new"


def test_a_failed_opening_leaves_the_lead_new(lead, tuanjie_cadre, open_case):
    open_case(lead.household)  # the household already has an open case
    with pytest.raises(ValidationError, match="未办结"):
        case_open_from_lead(actor=tuanjie_cadre, lead=lead)
    lead.refresh_from_db()
    assert lead.state == "new"


def test_the_case_list_offers_new_leads(client, lead, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("cases:case_list")).content.decode()
    assert "户主住院，自付费用高" in page and reverse("cases:lead_detail", args=[lead.pk]) in page
    detail = client.get(reverse("cases:lead_detail", args=[lead.pk])).content.decode()
    assert "纳入识别" in detail and "并入在办案件" not in detail
    response = client.post(reverse("cases:case_open_from_lead", args=[lead.pk]))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_detail", args=[case.pk])


@pytest.mark.django_db(transaction=True)
def test_two_cadres_take_the_same_lead_once(lead, tuanjie_cadre):
    from tests.conftest import make_user

    second = make_user("tuanjie_second", "village_cadre", "513225103213")
    barrier, results = threading.Barrier(2), {}

    def take(name, actor):
        try:
            barrier.wait(timeout=10)
            case_open_from_lead(actor=actor, lead=lead)
            results[name] = "ok"
        except ValidationError as error:
            results[name] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(n, a)) for n, a in (("a", tuanjie_cadre), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()).count("ok") == 1, results
    assert Case.objects.filter(lead=lead).count() == 1

"""The measure-to-risk table ("缺什么补什么") is data the county edits with the workflow settings (audited): the
household page, the measure warning and the data-quality rule all read it. Both sides: a risk with a measure of a
listed group passes, without one it is named; a county's change moves the answer."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.cases.conditions import measure_mismatches
from bangfu.cases.services import workflow_settings, workflow_settings_update
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db


def _mismatches(risks, groups):
    """As in force in 九寨沟县 (its own table once its administrator changed it; the shipped one before)."""
    return measure_mismatches(risk_types=risks, groups=set(groups), has_labour=False, region_code=COUNTY)


def test_the_shipped_table(db):
    assert workflow_settings(COUNTY).risk_measure_groups == {"illness": ["health", "social", "protection"],
                                                       "schooling": ["education"]}
    assert _mismatches(["illness"], ["development"]) == ["因病风险：须有健康或社会帮扶或兜底保障类措施"]
    assert _mismatches(["illness"], ["protection"]) == []
    assert _mismatches(["schooling"], ["health"]) == ["因学风险：须有教育类措施"]
    assert _mismatches(["schooling"], ["education"]) == []
    assert _mismatches(["disaster"], ["other"]) == []  # no row for this risk: nothing required


def test_the_labour_principle_stays(db):
    assert measure_mismatches(risk_types=["illness"], groups={"health"}, has_labour=True) == [
        "有劳动能力的户：须有产业、就业、金融或公益岗位等发展类措施"]
    assert measure_mismatches(risk_types=["illness"], groups={"health", "development"}, has_labour=True) == []


def test_the_county_changes_the_table_audited(county_admin, tuanjie_cadre):
    from django.core.exceptions import PermissionDenied

    from bangfu.audit.models import ChangeRecord

    with pytest.raises(PermissionDenied):
        workflow_settings_update(actor=tuanjie_cadre, data={"risk_measure_groups": {"disaster": ["housing"]}})
    with pytest.raises(ValidationError, match="风险与帮扶措施对应表"):
        workflow_settings_update(actor=county_admin, data={"risk_measure_groups": {"disaster": ["roads"]}})
    workflow_settings_update(actor=county_admin, data={"risk_measure_groups": {
        "disaster": ["housing", "social"], "illness": ["health"]}})
    assert ChangeRecord.objects.filter(object_type="workflowsettings").exists()
    assert _mismatches(["disaster"], ["other"]) == ["因自然灾害风险：须有住房安全或社会帮扶类措施"]
    assert _mismatches(["disaster"], ["housing"]) == []
    assert _mismatches(["illness"], ["protection"]) == ["因病风险：须有健康类措施"]
    assert _mismatches(["schooling"], []) == []  # the row was taken out


def test_the_settings_page_edits_the_table(client, county_admin):
    client.force_login(county_admin)
    page = client.get(reverse("cases:workflow_config")).content.decode()
    assert "因病风险须有的措施归类" in page and 'name="measures_for_illness" value="health"' in page
    form = {"decision_days": "15", "notice_min_days": "5", "elimination_min_months": "6",
            "income_stable_months": "6", "measure_due_days": "30", "max_member_age": "110",
            "self_reports_per_hour": "5", "measures_for_illness": ["health", "protection"],
            "measures_for_schooling": ["education"]}
    assert client.post(reverse("cases:workflow_config"), form).status_code == 302
    assert workflow_settings(COUNTY).risk_measure_groups == {"illness": ["health", "protection"],
                                                       "schooling": ["education"]}

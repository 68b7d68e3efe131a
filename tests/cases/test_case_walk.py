"""A lead walks the whole identification chain and the household becomes a monitored household."""

import pytest
from django.core.exceptions import ValidationError

from bangfu.cases.models import Decision
from bangfu.registry.models import Household

pytestmark = pytest.mark.django_db


def test_identification_walk_marks_household_monitored(make_household, open_case, walk, today):
    household = make_household()
    case = open_case(household)
    assert case.state == "verification"
    assert case.due_on == today.day.replace(day=17)  # 15 calendar days from the lead
    assert case.step_due_on.isoformat() == "2026-03-05"  # home visit within 3 working days
    case = walk(case, "approved")
    assert case.state == "approved" and case.closed_at is not None
    household = Household.objects.get(pk=household.pk)
    assert (household.monitoring_type, household.monitoring_status) == ("marginal", "risk_open")
    assert household.identified_month == "202603"
    labels = list(case.decisions.values_list("label", "actor__username"))
    assert labels[0] == ("登记线索", "tuanjie_cadre")
    assert ("乡镇审核通过", "shuanghe_reviewer") in labels and labels[-1] == ("县级审定通过", "county_admin")
    assert case.version == len(labels)


def test_decisions_cannot_be_changed_or_deleted(make_household, open_case):
    case = open_case(make_household())
    decision = Decision.objects.get(case=case)
    decision.comment = "改写历史"
    with pytest.raises(ValidationError):
        decision.save()
    with pytest.raises(ValidationError):
        decision.delete()
    assert Decision.objects.get(pk=decision.pk).comment == ""


def test_working_day_deadline(make_household, open_case, county_admin, today):
    from bangfu.cases.services import workflow_settings_update

    workflow_settings_update(actor=county_admin, data={"decision_days": 20, "decision_working_days": True})
    case = open_case(make_household())
    assert case.due_on.isoformat() == "2026-03-30"  # 20 working days from Monday 2 March

"""The shipped transition table at its boundaries (DOMAIN.md §5.4): each step's deadline as a date, a step on its
due day is on time and the next day is late, the 15-day identification deadline likewise, each precondition refused
when missing and passed when given, and no rejection or sending back without its reason or comment. The dates are
written out in full, so a changed deadline in the table fails here."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bangfu.cases.models import Case, Decision
from bangfu.cases.services import case_advance
from tests.cases.conftest import step

pytestmark = pytest.mark.django_db


def _advance(case, actor, to_state, comment="", **data):
    return case_advance(actor=actor, case=case, transition=step(case, to_state, role=actor.role),
                        version=case.version, comment=comment, data=data)


def _refused(case, actor, to_state, comment="", **data) -> dict:
    before = (Case.objects.get(pk=case.pk).version, Decision.objects.filter(case=case).count())
    with pytest.raises(ValidationError) as caught:
        _advance(case, actor, to_state, comment=comment, **data)
    assert (Case.objects.get(pk=case.pk).version, Decision.objects.filter(case=case).count()) == before
    return caught.value.message_dict


def test_each_step_deadline_of_the_shipped_table(make_household, open_case, walk, today):
    """From Monday 2 March: home visit within 3 working days, comparison 5 days, review 3, notice 7, then 3 and 3
    for the township and the county; the whole identification within 15 days of the lead."""
    case = open_case(make_household())
    assert (case.step_due_on, case.due_on) == (dt.date(2026, 3, 5), dt.date(2026, 3, 17))
    expected = {"comparison": dt.date(2026, 3, 7), "village_review": dt.date(2026, 3, 5),
                "notice": dt.date(2026, 3, 9), "township_review": dt.date(2026, 3, 10),
                "county_approval": dt.date(2026, 3, 10), "approved": None}
    for state, due in expected.items():
        case = walk(case, state)
        assert (case.state, case.step_due_on) == (state, due)


def test_a_step_on_its_due_day_is_on_time(make_household, open_case, tuanjie_cadre, today):
    case = open_case(make_household())
    today.set(dt.date(2026, 3, 5))  # the home visit's due day
    case = _advance(case, tuanjie_cadre, "comparison", commitment_signed_on=today.day, verification_notes="看过")
    assert case.state == "comparison" and case.decisions.last().comment == ""


def test_a_step_the_day_after_it_was_due_is_late(make_household, open_case, tuanjie_cadre, today):
    case = open_case(make_household())
    today.set(dt.date(2026, 3, 6))
    errors = _refused(case, tuanjie_cadre, "comparison", commitment_signed_on=today.day, verification_notes="看过")
    assert errors["comment"] == ["已超过办理期限（2026-03-05），须在意见中写明逾期原因"]
    errors = _refused(case, tuanjie_cadre, "comparison", comment="   ", commitment_signed_on=today.day,
                      verification_notes="看过")
    assert "comment" in errors
    assert _advance(case, tuanjie_cadre, "comparison", comment="农户外出", commitment_signed_on=today.day,
                    verification_notes="看过").state == "comparison"


def test_the_identification_deadline_on_its_day_and_the_day_after(make_household, open_case, tuanjie_cadre,
                                                                   today):
    case = open_case(make_household())
    Case.objects.filter(pk=case.pk).update(step_due_on=dt.date(2026, 4, 30))  # only the 15 days can bind
    case.refresh_from_db()
    today.set(dt.date(2026, 3, 17))
    data = {"commitment_signed_on": today.day, "verification_notes": "看过"}
    assert _advance(case, tuanjie_cadre, "comparison", **data).state == "comparison"
    other = open_case(make_household(head_name="第二户"), lead_date=dt.date(2026, 3, 2))
    Case.objects.filter(pk=other.pk).update(step_due_on=dt.date(2026, 4, 30))
    other.refresh_from_db()
    today.set(dt.date(2026, 3, 18))
    errors = _refused(other, tuanjie_cadre, "comparison", **{**data, "commitment_signed_on": today.day})
    assert errors["comment"] == ["已超过办理期限（2026-03-17），须在意见中写明逾期原因"]


@pytest.mark.parametrize("field, data, message", [
    ("verification_notes", {"commitment_signed_on": dt.date(2026, 3, 2), "verification_notes": " "},
     "入户核实情况：须填写核实到的情况"),
    ("commitment_signed_on", {"verification_notes": "看过"}, "承诺授权书：须记录农户签署承诺授权书的日期"),
])
def test_home_visit_preconditions(make_household, open_case, tuanjie_cadre, field, data, message):
    case = open_case(make_household())
    assert _refused(case, tuanjie_cadre, "comparison", **data)["__all__"] == [message]


def test_comparison_must_be_recorded(make_household, open_case, walk, tuanjie_cadre):
    case = walk(open_case(make_household()), "comparison")
    assert _refused(case, tuanjie_cadre, "village_review", comparison_result="  ")["__all__"] == [
        "信息比对结果：须填写与部门数据比对的结果"]
    assert _advance(case, tuanjie_cadre, "village_review", comparison_result="一致").state == "village_review"


REVIEW = {"review_date": dt.date(2026, 3, 2), "review_participants": "村两委", "review_outcome": "同意纳入",
          "notice_started_on": dt.date(2026, 3, 2)}


@pytest.mark.parametrize("missing, message", [
    ("review_date", "民主评议：须填写评议日期、参会人员和评议结果"),
    ("review_participants", "民主评议：须填写评议日期、参会人员和评议结果"),
    ("review_outcome", "民主评议：须填写评议日期、参会人员和评议结果"),
    ("notice_started_on", "公示开始日期：须填写公示张贴的日期"),
])
def test_review_and_notice_preconditions(make_household, open_case, walk, tuanjie_cadre, missing, message):
    case = walk(open_case(make_household()), "village_review")
    data = {k: v for k, v in REVIEW.items() if k != missing}
    assert _refused(case, tuanjie_cadre, "notice", **data)["__all__"] == [message]
    assert _advance(case, tuanjie_cadre, "notice", **REVIEW).state == "notice"


# (state to reach, who decides, target, where the reason goes, the refusal)
WITHOUT_REASON = [
    ("verification", "tuanjie_cadre", "rejected", "reason", "理由：不纳入或不通过须写明理由"),
    ("township_review", "shuanghe_reviewer", "rejected", "reason", "理由：不纳入或不通过须写明理由"),
    ("county_approval", "county_admin", "rejected", "reason", "理由：不纳入或不通过须写明理由"),
    ("township_review", "shuanghe_reviewer", "village_review", "comment", "意见：退回须写明意见"),
    ("county_approval", "county_admin", "township_review", "comment", "意见：退回须写明意见"),
]


@pytest.mark.parametrize("state, who, target, where, message", WITHOUT_REASON)
def test_no_rejection_or_sending_back_without_a_reason(request, make_household, open_case, walk, state, who,
                                                        target, where, message):
    actor = request.getfixturevalue(who)
    case = open_case(make_household())
    if state != "verification":
        case = walk(case, state)
    for blank in ("", "  \n "):
        kwargs = {"comment": blank} if where == "comment" else {"reason": blank}
        assert _refused(case, actor, target, **kwargs)["__all__"] == [message]
    kwargs = {"comment": "材料不全"} if where == "comment" else {"reason": "家庭有稳定收入", "comment": ""}
    case = _advance(case, actor, target, **kwargs)
    assert case.state == target
    assert (case.decisions.last().comment or case.reason) in ("材料不全", "家庭有稳定收入")


def test_an_already_monitored_household_cannot_be_identified_again(make_household, open_case):
    household = make_household(monitoring_type="marginal", monitoring_status="risk_open", identified_month="202601")
    with pytest.raises(ValidationError, match="无需再识别"):
        open_case(household)
    control = make_household(head_name="未监测户")
    assert open_case(control).state == "verification"

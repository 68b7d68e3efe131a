"""The dates that prove the procedure cannot be bent (issue 15, item 3): each date typed into a step is not in the
future and not before the steps it follows (lead found ≤ commitment signed ≤ comparison ≤ review ≤ notice start),
and the notice's minimum days run from the later of its stated start and the day the notice was recorded. Each rule
at its boundary on both sides: the date the rule allows passes, one day further is refused, naming the field and the
date it must follow, and nothing is written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.cases.models import Case, Decision
from bangfu.cases.services import case_advance
from tests.cases.conftest import step

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _advance(case, actor, to_state, comment="", **data):
    return case_advance(actor=actor, case=case, transition=step(case, to_state, role=actor.role),
                        version=case.version, comment=comment, data=data)


def _refused(case, actor, to_state, **data) -> dict:
    before = (Case.objects.get(pk=case.pk).version, Decision.objects.filter(case=case).count())
    with pytest.raises(ValidationError) as caught:
        _advance(case, actor, to_state, **data)
    assert (Case.objects.get(pk=case.pk).version, Decision.objects.filter(case=case).count()) == before
    return caught.value.message_dict


def _review(day, notice_day, **extra):
    return {"review_date": day, "review_participants": "村两委、群众代表", "review_outcome": "同意纳入",
            "notice_started_on": notice_day, **extra}


def test_commitment_signed_between_the_lead_and_today(make_household, open_case, tuanjie_cadre, today):
    case = open_case(make_household(), lead_date=today.day - 2 * DAY)
    errors = _refused(case, tuanjie_cadre, "comparison", commitment_signed_on=today.day - 3 * DAY,
                      verification_notes="看过")
    assert errors["commitment_signed_on"] == ["承诺授权书签署日期（2026-02-27）不能早于线索发现日期（2026-02-28）"]
    errors = _refused(case, tuanjie_cadre, "comparison", commitment_signed_on=today.day + DAY,
                      verification_notes="看过")
    assert errors["commitment_signed_on"] == ["承诺授权书签署日期（2026-03-03）不能晚于今天（2026-03-02）"]
    assert Case.objects.get(pk=case.pk).commitment_signed_on is None
    assert _advance(case, tuanjie_cadre, "comparison", commitment_signed_on=today.day - 2 * DAY,
                    verification_notes="看过").state == "comparison"


def test_commitment_signed_today_is_allowed(make_household, open_case, tuanjie_cadre, today):
    case = open_case(make_household())
    case = _advance(case, tuanjie_cadre, "comparison", commitment_signed_on=today.day, verification_notes="看过")
    assert case.commitment_signed_on == today.day


def test_the_immutable_record_never_keeps_a_future_date(make_household, open_case, tuanjie_cadre, today):
    """The issue saw 2027-01-01 accepted as a signing date and kept in the decision that can never change."""
    case = open_case(make_household())
    _refused(case, tuanjie_cadre, "comparison", commitment_signed_on=dt.date(2027, 1, 1), verification_notes="看过")
    assert not Decision.objects.filter(data__has_key="commitment_signed_on").exists()
    with pytest.raises(ValidationError, match="commitment_signed_on"):  # the model's own last guard
        Decision.objects.create(case=case, label="伪造", to_state="comparison", actor=tuanjie_cadre,
                                actor_role=tuanjie_cadre.role, data={"commitment_signed_on": "2026-03-03"})
    Decision.objects.create(case=case, label="当天", to_state="comparison", actor=tuanjie_cadre,
                            actor_role=tuanjie_cadre.role, data={"commitment_signed_on": "2026-03-02"})


def test_review_not_before_the_comparison(make_household, open_case, walk, tuanjie_cadre, today):
    case = walk(open_case(make_household(), lead_date=today.day - 4 * DAY), "comparison")
    today.forward(2)  # the comparison is recorded on 4 March
    case = _advance(case, tuanjie_cadre, "village_review", comparison_result="一致")
    assert case.comparison_recorded_on == dt.date(2026, 3, 4)
    errors = _refused(case, tuanjie_cadre, "notice", **_review(today.day - DAY, today.day))
    assert errors["review_date"] == ["民主评议日期（2026-03-03）不能早于信息比对完成日期（2026-03-04）"]
    errors = _refused(case, tuanjie_cadre, "notice", **_review(today.day + DAY, today.day + DAY))
    assert errors["review_date"] == ["民主评议日期（2026-03-05）不能晚于今天（2026-03-04）"]
    assert _advance(case, tuanjie_cadre, "notice", **_review(today.day, today.day)).state == "notice"


def test_notice_start_not_before_the_review(make_household, open_case, walk, tuanjie_cadre, today):
    """The issue's case: review 2026-12-07 with the notice 'started' 2026-12-01."""
    case = walk(open_case(make_household()), "village_review")
    today.forward(3)
    errors = _refused(case, tuanjie_cadre, "notice", **_review(today.day, today.day - DAY))
    assert errors["notice_started_on"] == ["公示开始日期（2026-03-04）不能早于民主评议日期（2026-03-05）"]
    errors = _refused(case, tuanjie_cadre, "notice", **_review(today.day, today.day + DAY))
    assert errors["notice_started_on"] == ["公示开始日期（2026-03-06）不能晚于今天（2026-03-05）"]
    assert _advance(case, tuanjie_cadre, "notice", **_review(today.day, today.day)).notice_recorded_on == today.day


def test_a_back_dated_notice_start_does_not_shorten_the_notice(make_household, open_case, walk, tuanjie_cadre,
                                                                today):
    """Review and notice dated the comparison day but recorded three days later: the five days run from the day
    the notice was recorded (5 March), so the step is refused on the 9th and allowed on the 10th."""
    case = walk(open_case(make_household()), "village_review")
    reviewed = today.day
    today.forward(3)
    case = _advance(case, tuanjie_cadre, "notice", **_review(reviewed, reviewed))
    today.forward(4)
    errors = _refused(case, tuanjie_cadre, "township_review")
    assert errors["__all__"] == ["公示期：公示开始日期填为2026-03-02，但2026-03-05才录入，公示期从录入之日起算，"
                                 "须满5天，2026-03-10方可报乡镇审核"]
    today.forward(1)
    assert _advance(case, tuanjie_cadre, "township_review").state == "township_review"


def test_notice_one_day_short_is_refused(make_household, open_case, walk, tuanjie_cadre, today):
    """Started and recorded the same day: day 4 is one day short, day 5 is allowed (five days, DOMAIN.md §5.4)."""
    case = walk(open_case(make_household()), "notice")
    today.forward(4)
    assert "须满5天，2026-03-07方可报乡镇审核" in _refused(case, tuanjie_cadre, "township_review")["__all__"][0]
    today.forward(1)
    assert _advance(case, tuanjie_cadre, "township_review").state == "township_review"


def test_the_notice_papers_show_the_period_that_counts(make_household, open_case, walk, tuanjie_cadre, today):
    from bangfu.cases.documents import notice_for_village

    household = make_household()
    case = walk(open_case(household), "village_review")
    reviewed = today.day
    today.forward(3)
    _advance(case, tuanjie_cadre, "notice", **_review(reviewed, reviewed))
    notice = notice_for_village(household.village)
    assert notice.rows[0].period == "2026-03-05 — 2026-03-10"


def test_identified_month_not_in_the_future(make_household, open_case, walk, county_admin, today):
    case = walk(open_case(make_household()), "county_approval")
    outcome = {"monitoring_type": "marginal", "risk_types": ["illness"]}
    errors = _refused(case, county_admin, "approved", identified_month="202604", **outcome)
    assert errors["identified_month"] == ["识别监测时间（202604）不能晚于本月（202603）"]
    errors = _refused(case, county_admin, "approved", identified_month="202602", **outcome)
    assert errors["identified_month"] == ["识别监测时间（202602）不能早于线索发现日期（2026-03-02）所在月份"]
    assert _advance(case, county_admin, "approved", identified_month="202603", **outcome).state == "approved"


def test_the_step_form_goes_through_the_same_check(client, make_household, open_case, tuanjie_cadre, today):
    case = open_case(make_household())
    transition = step(case, "comparison", role="village_cadre")
    client.force_login(tuanjie_cadre)
    url = reverse("cases:case_advance", args=[case.pk, transition.pk])
    prefix = f"t{transition.pk}-"
    response = client.post(url, {prefix + "commitment_signed_on": "2027-01-01", prefix + "verification_notes": "看过",
                                 prefix + "version": case.version}, follow=True)
    assert "承诺授权书签署日期（2027-01-01）不能晚于今天（2026-03-02）" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "verification"


def test_review_not_approved_ends_the_case_with_its_reason(make_household, open_case, walk, tuanjie_cadre, today):
    from bangfu.audit.models import ChangeRecord

    household = make_household()
    case = walk(open_case(household), "village_review")
    review = {"review_date": today.day, "review_participants": "村两委、群众代表12人", "review_outcome": "不同意纳入"}
    errors = _refused(case, tuanjie_cadre, "rejected", **review)
    assert errors["__all__"] == ["理由：不纳入或不通过须写明理由"]
    errors = _refused(case, tuanjie_cadre, "rejected", reason="家庭有稳定务工收入")
    assert errors["__all__"] == ["民主评议：须填写评议日期、参会人员和评议结果"]
    case = _advance(case, tuanjie_cadre, "rejected", reason="家庭有稳定务工收入", **review)
    assert (case.state, case.state_label, case.is_open, case.reason) == ("rejected", "不纳入监测", False,
                                                                        "家庭有稳定务工收入")
    decision = case.decisions.last()
    assert (decision.label, decision.from_state, decision.data["reason"]) == ("评议不通过", "village_review",
                                                                             "家庭有稳定务工收入")
    assert decision.data["review_outcome"] == "不同意纳入"
    assert ChangeRecord.objects.filter(object_type="case", object_id=str(case.pk),
                                       after__state="rejected").exists()
    household.refresh_from_db()
    assert household.monitoring_status != "risk_open"

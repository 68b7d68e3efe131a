"""Each way a step is refused: wrong role, wrong place, missing precondition, past the deadline. A refusal changes
nothing (the case, its decisions, the household)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.cases.models import Case, Decision
from bangfu.cases.services import case_advance, case_open
from tests.cases.conftest import step
from tests.conftest import ZHANGZHA_VILLAGE, make_user

pytestmark = pytest.mark.django_db


def _state(case):
    fresh = Case.objects.get(pk=case.pk)
    return fresh.state, fresh.version, Decision.objects.filter(case=case).count()


def test_wrong_role_cannot_take_the_township_step(make_household, open_case, walk, tuanjie_cadre):
    case = walk(open_case(make_household()), "township_review")
    before = _state(case)
    with pytest.raises(PermissionDenied, match="须由乡镇审核员办理"):
        case_advance(actor=tuanjie_cadre, case=case, transition=step(case, "county_approval"), version=case.version)
    assert _state(case) == before


def test_reviewer_cannot_do_the_county_approval(make_household, open_case, walk, shuanghe_reviewer):
    case = walk(open_case(make_household()), "county_approval")
    with pytest.raises(PermissionDenied, match="县级监测管理员"):
        case_advance(actor=shuanghe_reviewer, case=case, transition=step(case, "approved"), version=case.version,
                     data={"monitoring_type": "marginal", "risk_types": ["illness"], "identified_month": "202603"})
    assert Case.objects.get(pk=case.pk).state == "county_approval"


def test_wrong_place_cannot_open_or_decide(make_household, open_case, walk, zhangzha_cadre, regions):
    household = make_household()
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        case_open(actor=zhangzha_cadre, household=household, summary="越界登记")
    assert not Case.objects.exists()
    case = open_case(household)
    before = _state(case)
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        case_advance(actor=zhangzha_cadre, case=case, transition=step(case, "comparison"), version=case.version,
                     data={"commitment_signed_on": case.lead_date, "verification_notes": "越界"})
    assert _state(case) == before
    other_reviewer = make_user("zhangzha_town", "township_reviewer", "513225101000")
    case = walk(case, "township_review")
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        case_advance(actor=other_reviewer, case=case, transition=step(case, "county_approval"), version=case.version)
    assert ZHANGZHA_VILLAGE  # the other township's cadre and reviewer were both refused


def test_missing_precondition_names_it(make_household, open_case, tuanjie_cadre):
    case = open_case(make_household())
    with pytest.raises(ValidationError) as caught:
        case_advance(actor=tuanjie_cadre, case=case, transition=step(case, "comparison"), version=case.version,
                     data={"verification_notes": "看过"})
    assert any("承诺授权书" in m for m in caught.value.messages)
    assert Case.objects.get(pk=case.pk).commitment_signed_on is None


def test_notice_must_run_its_days(make_household, open_case, walk, tuanjie_cadre, today):
    case = walk(open_case(make_household()), "notice")
    today.forward(3)
    with pytest.raises(ValidationError) as caught:
        case_advance(actor=tuanjie_cadre, case=case, transition=step(case, "township_review"), version=case.version)
    assert "须满5天" in caught.value.messages[0]
    today.forward(2)
    assert case_advance(actor=tuanjie_cadre, case=case, transition=step(case, "township_review"),
                        version=case.version).state == "township_review"


def test_county_approval_needs_the_outcome(make_household, open_case, walk, county_admin):
    case = walk(open_case(make_household()), "county_approval")
    with pytest.raises(ValidationError) as caught:
        case_advance(actor=county_admin, case=case, transition=step(case, "approved"), version=case.version,
                     data={"risk_types": ["illness", "schooling", "disability", "disaster", "accident", "other"]})
    assert "最多选择5项" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        case_advance(actor=county_admin, case=case, transition=step(case, "approved"), version=case.version)
    text = "；".join(caught.value.messages)
    assert "监测对象类别" in text and "风险类型" in text and "识别监测时间" in text


def test_past_the_deadline_needs_a_reason(make_household, open_case, tuanjie_cadre, today):
    case = open_case(make_household())
    today.forward(10)  # the home visit was due within 3 working days
    data = {"commitment_signed_on": today.day, "verification_notes": "看过"}
    with pytest.raises(ValidationError) as caught:
        case_advance(actor=tuanjie_cadre, case=case, transition=step(case, "comparison"), version=case.version,
                     data=data)
    assert "已超过办理期限（2026-03-05）" in caught.value.message_dict["comment"][0]
    assert Case.objects.get(pk=case.pk).state == "verification"
    case = case_advance(actor=tuanjie_cadre, case=case, transition=step(case, "comparison"), version=case.version,
                        data=data, comment="户主外出务工，返乡后才入户")
    assert case.state == "comparison"
    assert case.decisions.last().comment == "户主外出务工，返乡后才入户"


def test_cannot_open_twice(make_household, open_case):
    household = make_household()
    open_case(household)
    with pytest.raises(ValidationError, match="未办结"):
        open_case(household)


def test_a_stale_page_cannot_decide(make_household, open_case, walk, shuanghe_reviewer):
    case = walk(open_case(make_household()), "township_review")
    stale_version = case.version
    walk.advance(case, shuanghe_reviewer, "county_approval")
    with pytest.raises(ValidationError) as caught:
        case_advance(actor=shuanghe_reviewer, case=case, transition=step(case, "county_approval"),
                     version=stale_version)
    assert "已由shuanghe_reviewer于" in caught.value.messages[0] and "乡镇审核通过" in caught.value.messages[0]

"""`bangfu report briefing|unit` on the demo: the six units of the story with their figures and the donation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from bangfu.assistance.documents import fmt
from bangfu.assistance.models import Donation, Unit
from bangfu.reports.assistance_indicators import unit_figures

pytestmark = pytest.mark.django_db

STORY_UNITS = ("四川省高级人民法院", "四川省人民政府驻北京办事处", "中国民主同盟四川省委员会", "成都大学", "成都大学附属医院",
               "华西集团")


@pytest.fixture
def demo(db):
    from bangfu.demo.builder import demo_build

    demo_build(people=400, seed=3)


def _text(path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


def test_demo_holds_the_story(demo):
    assert set(Unit.objects.values_list("name", flat=True)) == set(STORY_UNITS)
    assert Unit.objects.get(is_lead=True).name == "四川省高级人民法院"
    joint = Donation.objects.filter(recipient="九寨沟县第三小学").exclude(joint_name="")
    assert joint.count() == 6 and sum(d.value for d in joint) == Decimal(780000)
    from bangfu.assistance.models import LeaderVisit

    visited = set(LeaderVisit.objects.filter(date=dt.date(2022, 8, 17)).values_list("village__name", flat=True))
    assert {"甲勿村村民委员会", "团结村村民委员会", "松柏村村民委员会"} <= visited


def test_briefing_names_every_unit_with_its_figures_and_the_donation(demo, tmp_path):
    out = tmp_path / "briefing.docx"
    call_command("report", "briefing", "--since", "2021-07-01", "--until", "2026-10-31", "--out", str(out))
    text = _text(out)
    since, until = dt.date(2021, 7, 1), dt.date(2026, 10, 31)
    units = list(Unit.objects.all())
    figures = unit_figures([u.pk for u in units], since, until)
    for unit in units:
        assert unit.name in text
        summary = next(line for line in text.splitlines() if line.startswith(f"2021年7月1日以来，{unit.name}"))
        assert f"直接投入帮扶资金{fmt(figures[unit.pk]['funds_invested'], '元')}" in summary
        assert f"培训基层干部{fmt(figures[unit.pk]['cadres_trained'], '人次')}" in summary
    assert "九寨沟县第三小学" in text and "780,000元" in text
    assert "甲勿村" in text and "团结村" in text and "松柏村" in text
    assert "期内目标" in text and "完成率" in text
    assert "考核评估发现问题" in text and "整改中" in text


STORY_HEADINGS = ("会议概况", "县情与帮扶需求", "规划审议", "各帮扶单位工作情况及下一步打算", "选派干部", "五个方向帮扶",
                  "联合捐赠", "走访调研", "防返贫监测帮扶", "会议要求", "会议决定事项")


def test_the_2022_meeting_briefing_has_every_section_of_the_story(demo, tmp_path, capsys):
    from bangfu.assistance.models import JointMeeting

    call_command("report", "meetings")
    line = capsys.readouterr().out.strip().splitlines()[0]
    meeting = JointMeeting.objects.get()
    assert line == f"{meeting.pk}\t2022-08-18\t2022年四川省直单位定点帮扶九寨沟县联席会议"
    out = tmp_path / "b.docx"
    call_command("report", "briefing", "--meeting", str(meeting.pk), "--out", str(out))
    document = Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split("、", 1)[1] for h in headings] == list(STORY_HEADINGS)
    units = [p.text.split("）", 1)[1] for p in document.paragraphs if p.style.name == "Heading 2"]
    assert units == [r.unit.name for r in meeting.reports.order_by("position")]  # in speaking order
    text = _text(out)
    assert "征求意见稿" in text and "县委书记通报" in text and "帮扶需求5项" in text
    assert "张伟（省法院，勿角镇甲勿村驻村第一书记）发言" in text
    assert "价值合计78万元（780,000元）" in text
    assert "省法院党组书记、院长一行到勿角镇甲勿村" in text
    assert "守住不发生规模性返贫的底线" in text
    assert "已完成" in text and "推进中" in text  # done decisions included
    assert document.core_properties.author == "四川省高级人民法院"


def test_unit_report(demo, tmp_path):
    out = tmp_path / "cdu.docx"
    call_command("report", "unit", "--unit", "成都大学", "--year", "2022", "--out", str(out))
    text = _text(out)
    assert "成都大学2022年定点帮扶九寨沟县工作报告" in text
    assert "五个方向帮扶" in text and "下一步打算" in text and "林晓" in text
    assert Document(str(out)).core_properties.author == "成都大学"


def test_a_year_without_data_is_refused_in_one_line(demo, tmp_path):
    # 2031: after the demo's 2026-2030 plan (whose targets are data of 2030).
    with pytest.raises(CommandError) as error:
        call_command("report", "unit", "--unit", "成都大学", "--year", "2031", "--out", str(tmp_path / "x.docx"))
    assert str(error.value) == "成都大学在2031年没有任何帮扶记录（台账、选派干部、规划目标、会议汇报均无），不生成年度报告"
    assert not list(tmp_path.iterdir())


def test_bad_arguments_are_named(demo, tmp_path):
    with pytest.raises(CommandError, match="--since"):
        call_command("report", "briefing", "--since", "2021-13-01", "--out", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match="没有名为“不存在大学”"):
        call_command("report", "unit", "--unit", "不存在大学", "--year", "2022", "--out", str(tmp_path / "x.docx"))
    assert not list(tmp_path.iterdir())

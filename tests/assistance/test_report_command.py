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
    assert "规划推进情况" in text and "综合完成率" in text
    assert "考核评估发现问题整改情况" in text and "整改中" in text


def test_unit_report(demo, tmp_path):
    out = tmp_path / "cdu.docx"
    call_command("report", "unit", "--unit", "成都大学", "--year", "2022", "--out", str(out))
    text = _text(out)
    assert "成都大学2022年定点帮扶九寨沟县工作报告" in text
    assert "笔记本电脑30台" in text and "拟评等次" in text


def test_bad_arguments_are_named(demo, tmp_path):
    with pytest.raises(CommandError, match="--since"):
        call_command("report", "briefing", "--since", "2021-13-01", "--out", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match="没有名为“不存在大学”"):
        call_command("report", "unit", "--unit", "不存在大学", "--year", "2022", "--out", str(tmp_path / "x.docx"))
    assert not list(tmp_path.iterdir())

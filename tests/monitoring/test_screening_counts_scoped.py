"""Aggregates scoped like the rows under them: the screening page's hits by rule are the county's for who screens
the county, and for anyone else the sum over their own villages (a village cadre sees their village's, as their
warning list does), on the page and in its export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.selectors import screening_changes, screening_rule_counts
from bangfu.monitoring.services import screening_run
from tests.conftest import SONGBAI, TUANJIE, ZHANGZHA_VILLAGE
from tests.monitoring.factories import cents, feed_row, head

pytestmark = pytest.mark.django_db
RULE = "medical_stay_oop"


def _stay(household, oop: str):
    day = dt.date(2025, 5, 3)
    return feed_row(head(household), "medical", f"{day:%Y-%m}", date1=day, amount1=cents(30000), amount5=cents(oop))


@pytest.fixture
def run(make_household, county_admin):
    for village, n in ((TUANJIE, 1), (SONGBAI, 2), (ZHANGZHA_VILLAGE, 3)):
        for _ in range(n):
            _stay(make_household(village), "12000")
    return screening_run(actor=county_admin)


def test_each_reader_sees_the_hits_of_their_own_villages(run, county_admin, shuanghe_reviewer, tuanjie_cadre,
                                                         zhangzha_cadre):
    assert screening_rule_counts(county_admin, run)[RULE] == 6
    assert screening_rule_counts(shuanghe_reviewer, run)[RULE] == 3  # 团结村 and 松柏村 of 双河镇
    assert screening_rule_counts(tuanjie_cadre, run)[RULE] == 1
    assert screening_rule_counts(zhangzha_cadre, run)[RULE] == 3
    # The same as the warnings each may open (the rows under the figure).
    for user in (tuanjie_cadre, zhangzha_cadre):
        region = user.region_id
        assert screening_rule_counts(user, run)[RULE] == RiskWarning.objects.filter(
            rule__code=RULE, village_id=region).count()


def test_the_page_and_its_export_show_a_village_cadre_their_village_only(client, run, tuanjie_cadre, county_admin):
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("monitoring:screening_list"))
    rows = {name: n for run_ in page.context["page"].object_list for code, name, n in run_.rule_rows if code == RULE}
    assert list(rows.values()) == [1]
    response = client.post(reverse("web:list_export", args=["screening-runs"]), {})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value)
    assert "单次住院自付费用高 1；" in text and "单次住院自付费用高 6" not in text
    client.force_login(county_admin)  # the control: the county sees the county's
    page = client.get(reverse("monitoring:screening_list"))
    assert [n for run_ in page.context["page"].object_list for code, _name, n in run_.rule_rows if code == RULE] == [6]


def test_a_run_from_before_shows_a_village_cadre_no_county_counts(run, tuanjie_cadre):
    run.counts_by_village = {}
    run.save(update_fields=["counts_by_village"])
    assert set(screening_rule_counts(tuanjie_cadre, run).values()) == {None}


def test_new_warnings_and_updated_evidence_are_scoped_like_the_hits(run, county_admin, shuanghe_reviewer,
                                                                     tuanjie_cadre, zhangzha_cadre):
    assert screening_changes(county_admin, run) == (6, 0)
    assert screening_changes(shuanghe_reviewer, run) == (3, 0)
    assert screening_changes(tuanjie_cadre, run) == (1, 0)
    assert screening_changes(zhangzha_cadre, run) == (3, 0)
    again = screening_run(actor=county_admin)  # the same facts: every open warning's evidence refreshed
    assert screening_changes(county_admin, again) == (0, 6)
    assert screening_changes(tuanjie_cadre, again) == (0, 1)
    assert screening_changes(zhangzha_cadre, again) == (0, 3)


def test_the_page_and_its_export_show_a_village_cadre_their_villages_new_warnings(client, run, tuanjie_cadre,
                                                                                 county_admin):
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("monitoring:screening_list")).content.decode()
    assert "新预警 1 条，更新证据 0 条" in page and "新预警 6 条" not in page
    response = client.post(reverse("web:list_export", args=["screening-runs"]), {})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=5)) if c.value]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    top = next(i for i, row in enumerate(rows) if "新预警" in row)
    column = rows[top].index("新预警")
    assert [row[column] for row in rows[top + 1:] if row[column] is not None] == [1], header
    client.force_login(county_admin)  # the control: the county sees the county's
    assert "新预警 6 条，更新证据 0 条" in client.get(reverse("monitoring:screening_list")).content.decode()


def test_a_run_from_before_shows_a_village_cadre_no_county_changes(run, tuanjie_cadre, county_admin):
    run.changes_by_village = {}
    run.save(update_fields=["changes_by_village"])
    assert screening_changes(tuanjie_cadre, run) == (None, None)
    assert screening_changes(county_admin, run) == (6, 0)


def test_comparisons_are_counted_apart_from_the_rules_hits(client, county_admin):
    """The screening record lists the comparisons (信息比对: they raise no warning) in a table of their own, so the
    rules' hits add up to what the run raised."""
    from bangfu.monitoring.models import Rule, ScreeningRun

    comparison = Rule.objects.filter(is_exclusion=True, region=None).first()
    rule = Rule.objects.filter(is_exclusion=False, region=None).first()
    ScreeningRun.objects.create(status="done", counts_by_rule={rule.code: 4, comparison.code: 9},
                                counts_by_village={}, seconds=1)
    client.force_login(county_admin)
    page = client.get(reverse("monitoring:screening_list"))
    (run,) = page.context["page"].object_list
    assert [code for code, _name, _n in run.rule_rows] == [rule.code]
    assert [(code, n) for code, _name, n in run.comparison_rows] == [(comparison.code, 9)]
    assert "信息比对（不产生预警，标为疑似不符合）" in page.content.decode()

"""One event raises one warning to verify (issue 15 item 6): a yearly out-of-pocket total that one hospital stay
already explains is shown on that stay's warning as evidence, not raised as a second task. A total that needs
other stays to cross its line is a fact of its own and warns as before."""

import datetime as dt

import pytest

from bangfu.monitoring.feed_import import feed_upload_commit
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.services import screening_run
from tests.conftest import TUANJIE
from tests.monitoring.factories import cents, feed_row, head, income

pytestmark = pytest.mark.django_db


def _open(household) -> dict[str, str]:
    return dict(RiskWarning.objects.filter(household=household, state="open").values_list("rule__code", "evidence"))


def _stays(household, *out_of_pocket, net=25000):
    income(household, 2025, net=net)  # 40% of it is the yearly line
    for n, amount in enumerate(out_of_pocket):
        feed_row(head(household), "medical", f"2025-0{n + 3}", date1=dt.date(2025, n + 3, 2),
                 amount1=cents(amount) * 2, amount5=cents(amount))


def test_one_stay_over_both_lines_is_one_warning_with_the_yearly_total_as_evidence(make_household, county_admin):
    household = make_household(TUANJIE)
    _stays(household, 14000)  # over the 10,000 stay line and over 40% of 25,000
    run = screening_run(actor=county_admin)
    warnings = _open(household)
    assert list(warnings) == ["medical_stay_oop"]
    assert "2025年3月住院自付 14,000 元" in warnings["medical_stay_oop"]
    assert "2025年医疗自付合计 14,000 元，超过家庭纯收入 25,000 元（2025年）的40%" in warnings["medical_stay_oop"]
    assert "由同一次住院构成" in warnings["medical_stay_oop"]
    assert run.counts_by_rule["medical_year_share"] == 0


def test_a_total_that_needs_other_stays_is_its_own_warning(make_household, county_admin):
    """Control: two stays under the stay line whose sum crosses the yearly line warn by the yearly rule."""
    household = make_household(TUANJIE)
    _stays(household, 6000, "4000.01")
    screening_run(actor=county_admin)
    assert list(_open(household)) == ["medical_year_share"]


def test_the_stay_alone_must_be_over_the_yearly_line(make_household, county_admin):
    """The yearly line is 16,000 (40% of 40,000). A stay of 16,000.01 explains a total of 16,500.01 alone: one
    warning. A stay of exactly 16,000 does not (the 500 of another stay is needed): two warnings."""
    explained, needed = make_household(TUANJIE), make_household(TUANJIE)
    _stays(explained, "16000.01", 500, net=40000)
    _stays(needed, 16000, "500.01", net=40000)
    screening_run(actor=county_admin)
    assert list(_open(explained)) == ["medical_stay_oop"]
    assert sorted(_open(needed)) == ["medical_stay_oop", "medical_year_share"]


def test_a_stay_already_verified_is_not_raised_again_through_its_yearly_total(make_household, county_admin):
    household = make_household(TUANJIE)
    _stays(household, 14000)
    screening_run(actor=county_admin)
    RiskWarning.objects.filter(household=household).update(state="dismissed", dismiss_reason="已核实，已报销")
    screening_run(actor=county_admin)
    assert _open(household) == {}


def test_a_stay_repeated_in_its_file_is_one_stay_and_one_warning(make_household, county_admin, tmp_path):
    household = make_household(TUANJIE)
    income(household, 2026, net=25000)
    member = head(household)
    row = f"{member.name},{member.reveal_id_number()},2026-11-02,2026-11-12,20000,14000"
    path = tmp_path / "医保.csv"
    path.write_text("\n".join(["姓名,身份证号,入院日期,出院日期,医疗总费用,个人自付", row, row]) + "\n", encoding="utf-8")
    _, report = feed_upload_commit(actor=county_admin, kind="medical", period="2026-11", path=path,
                                   file_name="医保.csv")
    assert (report.matched, report.duplicates) == (1, 1)
    screening_run(actor=county_admin)
    warnings = _open(household)
    assert list(warnings) == ["medical_stay_oop"]
    assert "医疗自付合计 14,000 元" in warnings["medical_stay_oop"] and "28,000" not in warnings["medical_stay_oop"]


def test_a_stay_sent_again_in_a_later_months_file_counts_once_in_the_yearly_total(make_household, county_admin):
    """The same stay (person, admission day, amount) in the May and June files is one stay: 6,000 under a
    10,000 yearly line does not become 12,000. A second stay of the same amount on another day does add."""
    again, another = make_household(TUANJIE), make_household(TUANJIE)
    for household, second_day in ((again, dt.date(2025, 5, 2)), (another, dt.date(2025, 6, 2))):
        income(household, 2025, net=25000)  # 40% = 10,000
        feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 2), amount5=cents(6000))
        feed_row(head(household), "medical", "2025-06", date1=second_day, amount5=cents(6000))
    screening_run(actor=county_admin)
    assert _open(again) == {}
    assert list(_open(another)) == ["medical_year_share"]


def test_the_same_stay_twice_in_one_months_file_counts_once_a_second_stay_that_day_adds(make_household,
                                                                                        county_admin):
    """Within one month's file too: a row repeated (same person, day and amount) is one stay; the control, the
    same person and day with another amount, is a second stay and adds."""
    twice, two_stays = make_household(TUANJIE), make_household(TUANJIE)
    for household, second in ((twice, 6000), (two_stays, 6001)):
        income(household, 2025, net=25000)  # 40% = 10,000
        feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 2), amount5=cents(6000))
        feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 2), amount5=cents(second))
    screening_run(actor=county_admin)
    assert _open(twice) == {}
    assert list(_open(two_stays)) == ["medical_year_share"]


def test_a_corrected_earlier_month_makes_the_later_months_copy_of_a_stay_count(make_household, county_admin):
    """The stores marks a stay sent again when it writes the later month; when the earlier month is replaced by a
    file without that stay, the later month's copy is the stay's only record and counts (the sync writes the later
    month again). With the mark left stale the total would be 6,000 and nothing would warn."""
    household = make_household(TUANJIE)
    income(household, 2025, net=25000)  # 40% = 10,000
    may = feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 2), amount5=cents(6000))
    feed_row(head(household), "medical", "2025-06", date1=dt.date(2025, 5, 2), amount5=cents(6000))  # sent again
    feed_row(head(household), "medical", "2025-06", date1=dt.date(2025, 6, 9), amount5=cents(3000))
    screening_run(actor=county_admin)
    assert _open(household) == {}  # 6,000 + 3,000: under the line, the copy counted once (the control)
    may.upload.delete()  # May corrected: its new file holds another stay, not the one June sent again
    feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 20), amount5=cents(1500))
    screening_run(actor=county_admin)
    warnings = _open(household)
    assert list(warnings) == ["medical_year_share"]
    assert "2025年医疗自付合计 10,500 元" in warnings["medical_year_share"]

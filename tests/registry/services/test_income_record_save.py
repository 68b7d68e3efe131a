"""income_record_save: a household's income for a year, and the figures derived from it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import ChangeRecord
from bangfu.registry.models import IncomeRecord
from bangfu.registry.services import INCOME_FIELDS, income_record_save, member_add
from tests.conftest import ZHANGZHA_VILLAGE, synthetic_id

pytestmark = pytest.mark.django_db

D = Decimal
INCOME = {"members_counted": 3, "wage_income": D("12000"), "business_income": D("5000.50"),
          "property_income": D("300"), "transfer_income": D("1200"), "production_cost": D("2000"),
          "medical_spending": D("800"), "education_spending": D("450.25")}


def test_net_and_per_capita_income_follow_the_formula(make_household, county_admin):
    record = income_record_save(actor=county_admin, household=make_household(), year=2024, data=INCOME)
    record.refresh_from_db()
    # 家庭纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出
    assert record.net_income == D("16500.50")
    assert record.per_capita_net_income == D("5500.17")  # 16500.50 / 3, to the fen
    assert record.compliant_spending == D("1250.25")
    assert record.per_capita_after_spending == D("5083.42")  # (16500.50 − 1250.25) / 3


@pytest.mark.parametrize(("wage", "members", "per_capita"), [
    (D("200"), 3, D("66.67")), (D("100"), 3, D("33.33")), (D("7000"), 7, D("1000.00"))])
def test_per_capita_is_to_the_fen(make_household, county_admin, wage, members, per_capita):
    record = income_record_save(actor=county_admin, household=make_household(), year=2024,
                                data={"members_counted": members, "wage_income": wage})
    assert record.per_capita_net_income == per_capita


def test_loss_making_year_gives_negative_net_income(make_household, county_admin):
    record = income_record_save(actor=county_admin, household=make_household(), year=2024,
                                data={"members_counted": 2, "business_income": D("1000"), "production_cost": D("3000")})
    assert record.net_income == D("-2000")
    assert record.per_capita_net_income == D("-1000.00")


def test_members_counted_defaults_to_the_household_size(make_household, county_admin):
    household = make_household()
    member_add(actor=county_admin, household=household, data={"name": "妻", "relation": "spouse"},
               id_number=synthetic_id(male=False))
    record = income_record_save(actor=county_admin, household=household, year=2023, data={"wage_income": D("9000")})
    assert record.members_counted == 2
    assert record.per_capita_net_income == D("4500.00")


def test_creation_is_recorded(make_household, county_admin):
    household = make_household()
    record = income_record_save(actor=county_admin, household=household, year=2024, data=INCOME)
    change = ChangeRecord.objects.get(object_type="incomerecord")
    assert change.action == ChangeRecord.Action.CREATE
    assert change.actor == county_admin
    assert change.before is None
    assert change.object_id == str(record.pk)
    assert change.household_id == household.pk
    assert change.after["wage_income"] == "12000.00"
    assert change.after["year"] == 2024


def test_saving_the_same_year_again_corrects_it(make_household, county_admin):
    household = make_household()
    income_record_save(actor=county_admin, household=household, year=2024, data=INCOME)
    income_record_save(actor=county_admin, household=household, year=2024, data={"wage_income": D("13000")})
    record = IncomeRecord.objects.get(household=household)
    assert record.wage_income == D("13000")
    assert record.business_income == D("5000.50")
    update = ChangeRecord.objects.get(object_type="incomerecord", action=ChangeRecord.Action.UPDATE)
    assert update.actor == county_admin
    assert update.changed_fields == [("wage_income", "12000.00", "13000.00")]


def test_saving_the_same_figures_writes_no_record(make_household, county_admin):
    household = make_household()
    income_record_save(actor=county_admin, household=household, year=2024, data=INCOME)
    income_record_save(actor=county_admin, household=household, year=2024, data=INCOME)
    assert not ChangeRecord.objects.filter(object_type="incomerecord", action=ChangeRecord.Action.UPDATE).exists()


def test_years_are_kept_apart(make_household, county_admin):
    household = make_household()
    income_record_save(actor=county_admin, household=household, year=2023, data=INCOME)
    income_record_save(actor=county_admin, household=household, year=2024, data=INCOME)
    assert list(household.income_records.values_list("year", flat=True)) == [2024, 2023]


@pytest.mark.parametrize("field", INCOME_FIELDS[1:])
def test_negative_amount_is_rejected_on_its_field(make_household, county_admin, counts, field):
    household = make_household()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        income_record_save(actor=county_admin, household=household, year=2024, data={**INCOME, field: D("-0.01")})
    assert list(caught.value.message_dict) == [field]
    assert "不能为负数" in caught.value.message_dict[field][0]
    assert counts() == before


def test_negative_correction_leaves_the_old_figures(make_household, county_admin, counts):
    household = make_household()
    income_record_save(actor=county_admin, household=household, year=2024, data=INCOME)
    before = counts()
    with pytest.raises(ValidationError):
        income_record_save(actor=county_admin, household=household, year=2024,
                           data={"wage_income": D("99999"), "transfer_income": D("-1")})
    assert counts() == before
    assert IncomeRecord.objects.get(household=household).wage_income == D("12000")


@pytest.mark.parametrize("members", [-1, -5])
def test_members_counted_below_one_is_rejected(make_household, county_admin, counts, members):
    household = make_household()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        income_record_save(actor=county_admin, household=household, year=2024, data={**INCOME, "members_counted": members})
    assert "members_counted" in caught.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("year", [1999, dt.date.today().year + 1])
def test_year_out_of_range_is_rejected(make_household, county_admin, counts, year):
    household = make_household()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        income_record_save(actor=county_admin, household=household, year=year, data=INCOME)
    assert "year" in caught.value.message_dict
    assert counts() == before


def test_cadre_cannot_record_income_in_another_township(make_household, tuanjie_cadre, counts):
    household = make_household(ZHANGZHA_VILLAGE)
    before = counts()
    with pytest.raises(PermissionDenied):
        income_record_save(actor=tuanjie_cadre, household=household, year=2024, data=INCOME)
    assert counts() == before


def test_read_only_role_cannot_record_income(make_household, leader, counts):
    household = make_household()
    before = counts()
    with pytest.raises(PermissionDenied):
        income_record_save(actor=leader, household=household, year=2024, data=INCOME)
    assert counts() == before


def test_per_capita_rounds_half_up_as_people_do_by_hand():
    from decimal import Decimal

    from bangfu.registry.models import IncomeRecord

    record = IncomeRecord(members_counted=2, wage_income=Decimal("25.01"))
    assert record.per_capita_net_income == Decimal("12.51")
    assert record.per_capita_after_spending == Decimal("12.51")


@pytest.mark.parametrize("field", INCOME_FIELDS[1:])
def test_an_amount_no_rural_household_has_is_refused_at_the_bound(make_household, county_admin, counts, field):
    from bangfu.registry.validation import AMOUNT_LIMIT

    household = make_household()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        income_record_save(actor=county_admin, household=household, year=2024,
                           data={**INCOME, field: AMOUNT_LIMIT + D("0.01")})
    assert list(caught.value.message_dict) == [field]
    assert "没有农户一年有这样的数额" in caught.value.message_dict[field][0]
    assert counts() == before
    record = income_record_save(actor=county_admin, household=household, year=2024,
                                data={**INCOME, field: AMOUNT_LIMIT})  # the bound itself is a figure
    assert getattr(record, field) == AMOUNT_LIMIT


def test_a_ledgers_net_may_be_a_loss_but_not_past_the_bound(make_household, county_admin):
    from bangfu.registry.validation import AMOUNT_LIMIT

    household = make_household()
    given = {"given": IncomeRecord.Given.NET, "members_counted": 2}
    record = income_record_save(actor=county_admin, household=household, year=2024,
                                data={**given, "given_net_income": -AMOUNT_LIMIT})
    assert record.given_net_income == -AMOUNT_LIMIT
    with pytest.raises(ValidationError) as caught:
        income_record_save(actor=county_admin, household=household, year=2024,
                           data={**given, "given_net_income": -AMOUNT_LIMIT - D("0.01")})
    assert list(caught.value.message_dict) == ["given_net_income"]


def test_household_size_bounds(make_household, county_admin):
    from bangfu.registry.validation import MEMBERS_COUNTED_MAX

    household = make_household()
    assert income_record_save(actor=county_admin, household=household, year=2024,
                              data={**INCOME, "members_counted": MEMBERS_COUNTED_MAX}).members_counted == 50
    with pytest.raises(ValidationError) as caught:
        income_record_save(actor=county_admin, household=household, year=2024,
                           data={**INCOME, "members_counted": MEMBERS_COUNTED_MAX + 1})
    assert list(caught.value.message_dict) == ["members_counted"]

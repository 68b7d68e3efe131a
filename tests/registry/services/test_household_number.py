"""户编号: the village's next number unless one is typed; a typed number is digits and carries no other place's
code; the 15-18 digit numbers of imported ledgers are kept as they are."""

import pytest
from django.core.exceptions import ValidationError

from bangfu.registry.models import Household
from bangfu.registry.services import household_create, household_next_number, household_update
from tests.conftest import SONGBAI, TUANJIE

pytestmark = pytest.mark.django_db

HEYE = "513225101002"  # 漳扎镇荷叶社区: another place's code


@pytest.fixture
def tuanjie(regions):
    return regions[TUANJIE]


def _create(county_admin, village, number="", **extra):
    return household_create(actor=county_admin, data={"number": number, "village": village, **extra})


def test_empty_number_gets_the_villages_next(county_admin, tuanjie):
    first = _create(county_admin, tuanjie)
    second = _create(county_admin, tuanjie)
    assert first.number == TUANJIE + "0001"
    assert second.number == TUANJIE + "0002"


def test_next_number_follows_the_highest_and_ignores_other_shapes(county_admin, tuanjie):
    _create(county_admin, tuanjie, TUANJIE + "0041")
    _create(county_admin, tuanjie, TUANJIE + "123456")  # 18 digits from an imported ledger
    assert household_next_number(TUANJIE) == TUANJIE + "0042"
    assert _create(county_admin, tuanjie).number == TUANJIE + "0042"


@pytest.mark.parametrize("number", ["abc", "12-34", "１２３４", "513225103213000A"])
def test_typed_number_must_be_digits(county_admin, tuanjie, counts, number):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        _create(county_admin, tuanjie, number)
    assert "只能由数字组成" in caught.value.message_dict["number"][0]
    assert counts() == before


def test_number_with_another_places_code_is_refused(county_admin, tuanjie, counts):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        _create(county_admin, tuanjie, HEYE + "0007")
    message = caught.value.message_dict["number"][0]
    assert HEYE in message and "荷叶社区" in message and "团结村" in message
    assert counts() == before


def test_number_with_the_township_code_is_refused(county_admin, tuanjie):
    with pytest.raises(ValidationError):
        _create(county_admin, tuanjie, "5132251030000007")


@pytest.mark.parametrize("number", ["513225103213001", "51322510321300011", "513225103213000101",
                                    "123456789012345", "880000000001"])
def test_imported_ledger_numbers_are_kept(county_admin, tuanjie, number):
    assert _create(county_admin, tuanjie, number).number == number


def test_a_typed_number_of_ones_own_village_is_kept(county_admin, tuanjie):
    assert _create(county_admin, tuanjie, TUANJIE + "0100").number == TUANJIE + "0100"


def test_update_refuses_another_places_prefix_but_a_move_keeps_the_number(county_admin, regions, tuanjie):
    household = _create(county_admin, tuanjie)
    with pytest.raises(ValidationError):
        household_update(actor=county_admin, household=household, data={"number": HEYE + "0001"})
    household_update(actor=county_admin, household=household, data={"village": regions[SONGBAI]})
    assert Household.objects.get(pk=household.pk).number == TUANJIE + "0001"


@pytest.mark.parametrize("number", ["513225000000001", "5132250000000001", "513225000000123456"])
def test_a_county_wide_sequence_starting_with_the_countys_own_code_is_accepted(county_admin, tuanjie, number):
    assert _create(county_admin, tuanjie, number).number == number


def test_another_countys_code_is_still_refused(county_admin, tuanjie, regions):
    from bangfu.regions.models import Region

    Region.objects.create(code="513224000000", name="松潘县", level="county", parent_id=None)
    with pytest.raises(ValidationError) as caught:
        _create(county_admin, tuanjie, "513224000000001")
    assert "松潘县" in caught.value.message_dict["number"][0]

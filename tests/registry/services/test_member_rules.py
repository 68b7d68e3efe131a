"""Member rules: the relation agrees with the sex the ID number carries; names as the registry accepts them."""

import pytest
from django.core.exceptions import ValidationError

from bangfu.registry.services import member_add, member_update
from tests.conftest import synthetic_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(make_household):
    return make_household()


@pytest.mark.parametrize(("relation", "male"), [("son", False), ("grandson", False), ("father", False),
                                                ("daughter", True), ("mother", True), ("daughter_in_law", True)])
def test_relation_that_contradicts_the_id_sex_is_refused(county_admin, household, counts, relation, male):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=household, data={"name": "李四", "relation": relation},
                   id_number=synthetic_id("20000101", male=male))
    assert "与性别不符" in caught.value.message_dict["relation"][0]
    assert counts() == before


@pytest.mark.parametrize(("relation", "male"), [("son", True), ("daughter", False), ("spouse", True),
                                                ("spouse", False), ("sibling", False), ("other", True)])
def test_fitting_relations_are_accepted(county_admin, household, relation, male):
    member = member_add(actor=county_admin, household=household, data={"name": "李四", "relation": relation},
                        id_number=synthetic_id("20000101", male=male))
    assert member.relation == relation


def test_changing_a_daughter_to_son_is_refused(county_admin, household):
    daughter = member_add(actor=county_admin, household=household, data={"name": "李娟", "relation": "daughter"},
                          id_number=synthetic_id("20000101", male=False))
    with pytest.raises(ValidationError):
        member_update(actor=county_admin, member=daughter, data={"relation": "son"})


@pytest.mark.parametrize(("typed", "stored"), [("𠮷田", "𠮷田"), ("䶮", "䶮"), ("扎西•多吉", "扎西·多吉"),
                                                ("Tenzin Dorje", "Tenzin Dorje")])
def test_names_of_every_script_we_use_are_kept(county_admin, household, typed, stored):
    member = member_add(actor=county_admin, household=household, data={"name": typed, "relation": "other"},
                        id_number=synthetic_id())
    member.refresh_from_db()
    assert member.name == stored


@pytest.mark.parametrize(("name", "words"), [("张三😀", "不能包含"), ("张" * 60, "最多30个字符")])
def test_emoji_and_overlong_names_are_refused(county_admin, household, counts, name, words):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=household, data={"name": name, "relation": "other"},
                   id_number=synthetic_id())
    assert words in caught.value.message_dict["name"][0]
    assert counts() == before

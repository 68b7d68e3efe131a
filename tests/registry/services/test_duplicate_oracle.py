"""A duplicate-ID check is not an oracle: outside the user's jurisdiction it says only "registered elsewhere",
every such hit is logged, and more than BANGFU_DUPLICATE_CHECK_LIMIT in an hour locks the user's check."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.audit.models import SecurityEvent
from bangfu.core.id_number import make_id_number, parse_id_number
from bangfu.registry.services import member_add
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE, synthetic_id


@pytest.fixture
def elsewhere(make_household, county_admin):
    """Six people registered in 漳扎 (outside the 团结村 cadre's reach)."""
    household = make_household(ZHANGZHA_VILLAGE)
    numbers = [make_id_number("513225", dt.date(1988, 5, 17), 700 + i) for i in range(6)]
    for i, number in enumerate(numbers):
        member_add(actor=county_admin, household=household, data={"name": "远方" + "甲乙丙丁戊己"[i], "relation": "other"},
                   id_number=number)
    return numbers


def _try(actor, household, number):
    with pytest.raises(ValidationError) as caught:
        member_add(actor=actor, household=household, data={"name": "试探", "relation": "other"}, id_number=number)
    return caught.value.message_dict["id_number"][0]


def test_hits_are_logged_and_the_check_locks(tuanjie_cadre, make_household, elsewhere, settings, client,
                                             county_admin):
    settings.DUPLICATE_CHECK_LIMIT = 3
    own = make_household(TUANJIE)
    for number in elsewhere[:3]:
        message = _try(tuanjie_cadre, own, number)
        assert "已在其他地方登记" in message and "漳扎" not in message
    # Locked: even a number registered nowhere is not looked up, and hits learn nothing more.
    assert "查重已暂时锁定" in _try(tuanjie_cadre, own, elsewhere[3])
    assert "查重已暂时锁定" in _try(tuanjie_cadre, own, synthetic_id())
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["duplicate_elsewhere"] * 3 + ["duplicate_check_locked"]
    assert all(e.actor_id == tuanjie_cadre.pk for e in SecurityEvent.objects.all())
    client.force_login(county_admin)
    page = client.get(reverse("web:audit_log"), {"view": "security"}).content.decode()
    assert page.count("证件号码已在辖区外登记") == 3 and "证件号码查重已锁定" in page


def test_other_users_are_not_locked(tuanjie_cadre, county_admin, make_household, elsewhere, settings):
    settings.DUPLICATE_CHECK_LIMIT = 1
    own = make_household(TUANJIE)
    _try(tuanjie_cadre, own, elsewhere[0])
    member = member_add(actor=county_admin, household=own, data={"name": "新成员", "relation": "other"},
                        id_number=synthetic_id())
    assert member.pk


def test_a_duplicate_inside_the_jurisdiction_names_the_household_and_is_not_counted(
        county_admin, make_household, elsewhere):
    own = make_household(TUANJIE)
    message = _try(county_admin, own, elsewhere[0])
    assert "身份证号重复" in message and "远方甲" in message
    assert not SecurityEvent.objects.exists()


@pytest.mark.parametrize(("id_type", "suffix"), [("other", ""), ("disability_cert", "12")])
def test_the_same_person_under_another_document_type_is_refused(county_admin, make_household, id_type, suffix):
    first = make_household(TUANJIE)
    number = first.members.get().reveal_id_number()
    parsed = parse_id_number(number)  # an "other" document needs sex and birth date typed: the true ones
    second = make_household(TUANJIE)
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=second,
                   data={"name": "又一人", "relation": "other", "id_type": id_type}, id_number=number + suffix,
                   sex=parsed.sex, birth_date=parsed.birth_date)
    assert "身份证号重复" in caught.value.message_dict["id_number"][0]


def test_a_disability_certificate_first_then_the_resident_id_is_refused(county_admin, make_household):
    number = synthetic_id()
    first = make_household(TUANJIE)
    member_add(actor=county_admin, household=first, data={"name": "残疾人", "relation": "other",
                                                           "id_type": "disability_cert"}, id_number=number + "23")
    second = make_household(TUANJIE)
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=second, data={"name": "同一人", "relation": "other"},
                   id_number=number)
    assert "身份证号重复" in caught.value.message_dict["id_number"][0]

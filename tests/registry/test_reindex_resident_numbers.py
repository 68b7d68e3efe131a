"""Members registered before the one-person rule as 其他 or 残疾人证 with a resident ID number: the data migration
(and `bangfu check-duplicates`) index them as that person; the same person registered twice is reported, the
migration does not fail, and the command exits 1 until it is resolved."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command

from bangfu.core.crypto import field_cipher
from bangfu.registry.duplicates import members_identity_reindex
from bangfu.registry.models import Member
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.registry.services import member_add, member_remove
from tests.conftest import ZHANGZHA_VILLAGE, synthetic_id

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("bangfu.registry.migrations.0008_reindex_resident_numbers_under_other_types")


def _registered_before_the_rule(actor, household, number: str, id_type: str, name: str) -> Member:
    """A member as the registry stored it before: the document type it came under, indexed as "type:number"."""
    member = member_add(actor=actor, household=household, data={"name": name, "relation": "other"},
                        id_number=synthetic_id())
    document = number if id_type == "disability_cert" else number[:18]
    Member.objects.filter(pk=member.pk).update(
        id_type=id_type, id_number_cipher=field_cipher().encrypt("id_number", document),
        id_number_digest=field_cipher().blind_index("id_number", f"{id_type}:{document}"))
    return Member.objects.get(pk=member.pk)


def test_the_migration_indexes_them_as_the_person(make_household, county_admin):
    household = make_household()
    other_number, disability_number = synthetic_id("19700304"), synthetic_id("19650809", male=False) + "12"
    other = _registered_before_the_rule(county_admin, household, other_number, "other", "旧其他")
    disabled = _registered_before_the_rule(county_admin, household, disability_number, "disability_cert", "旧残疾")
    foreign = member_add(actor=county_admin, household=household, id_number="XJ-2024-0001", sex="male",
                         birth_date=household.created_at.date(), data={"name": "外籍", "relation": "other",
                                                                        "id_type": "other"})
    foreign_digest = foreign.id_number_digest
    # Before: a search by ID number misses them, and the same number is accepted again as a resident ID.
    assert not households_filtered(county_admin, HouseholdFilter(q=other_number)).exists()

    MIGRATION.reindex(apps, None)

    for number in (other_number, disability_number[:18]):
        assert households_filtered(county_admin, HouseholdFilter(q=number)).get() == household
    with pytest.raises(ValidationError, match="身份证号重复"):
        member_add(actor=county_admin, household=make_household(), data={"name": "再登记", "relation": "other"},
                   id_number=other_number)
    assert Member.objects.get(pk=foreign.pk).id_number_digest == foreign_digest  # not a resident ID: as it was
    other.refresh_from_db()
    disabled.refresh_from_db()
    assert (other.id_type, other.reveal_id_number()) == ("other", other_number)  # only the index changed
    assert disabled.reveal_id_number() == disability_number
    assert members_identity_reindex().reindexed == 0  # run again: nothing left to do


def test_a_person_registered_twice_is_reported_not_failed(make_household, county_admin, capsys, caplog):
    number = synthetic_id("19591010")
    first = make_household(number="5100000001")
    holder = member_add(actor=county_admin, household=first, data={"name": "本人", "relation": "other"},
                        id_number=synthetic_id("19900101"))
    Member.objects.filter(pk=holder.pk).update(
        id_number_cipher=field_cipher().encrypt("id_number", number),
        id_number_digest=field_cipher().blind_index("id_number", number))
    second = make_household(ZHANGZHA_VILLAGE, number="5100000002")
    twice = _registered_before_the_rule(county_admin, second, number, "other", "又一次")

    MIGRATION.reindex(apps, None)  # does not raise

    output = capsys.readouterr().out
    assert "同一人重复登记：户编号 5100000002 的成员 又一次" in output and "户编号 5100000001 的成员 本人" in output
    assert number not in output and number not in caplog.text
    assert f"member {twice.pk}" in caplog.text
    twice_digest = Member.objects.get(pk=twice.pk).id_number_digest
    assert twice_digest == field_cipher().blind_index("id_number", f"other:{number}")  # left as it was

    with pytest.raises(SystemExit) as exit_status:
        call_command("check_duplicates")
    assert exit_status.value.code == 1
    assert "共 1 处同一人重复登记" in capsys.readouterr().out

    # Resolved by removing the wrong registration: the command re-indexes the rest and exits 0.
    member_remove(actor=county_admin, member=holder, reason="other", detail="重复登记")
    call_command("check_duplicates")
    out = capsys.readouterr().out
    assert "重建索引 1 名" in out and "未发现同一人重复登记" in out
    assert households_filtered(county_admin, HouseholdFilter(q=number)).get() == second

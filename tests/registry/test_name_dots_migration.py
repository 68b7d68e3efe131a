"""Names stored with a dot variant before imports normalised them take the one middle dot (data migration
registry 0009), with a history record and a new version; then a search for 扎西·多吉 finds them."""

import importlib

import pytest
from django.apps import apps

from bangfu.audit.models import ChangeRecord
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.registry.services import member_add
from tests.conftest import synthetic_id

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("bangfu.registry.migrations.0009_member_names_one_middle_dot")


def test_stored_dot_variants_take_the_middle_dot(county_admin, make_household):
    household = make_household(head_name="扎西·多吉")
    head = household.members.get()
    others = [member_add(actor=county_admin, household=household, data={"name": "卓玛", "relation": "other"},
                         id_number=synthetic_id()) for _ in range(3)]
    # As an import stored them before it normalised names (bypassing the services).
    Member.objects.filter(pk=head.pk).update(name="扎西•多吉")
    Household.objects.filter(pk=household.pk).update(head_name="扎西•多吉")
    for member, name in zip(others, ("卓玛.拉姆", "次仁 ・ 央宗", "尼玛2"), strict=True):
        Member.objects.filter(pk=member.pk).update(name=name)
    assert not households_filtered(county_admin, HouseholdFilter(q="卓玛·拉姆")).exists()
    versions = dict(Member.objects.values_list("pk", "version"))

    MIGRATION.unify_dots(apps, None)

    names = dict(Member.objects.values_list("pk", "name"))
    assert [names[head.pk], *(names[m.pk] for m in others)] == ["扎西·多吉", "卓玛·拉姆", "次仁·央宗", "尼玛2"]
    assert Household.objects.get(pk=household.pk).head_name == "扎西·多吉"
    for typed in ("扎西·多吉", "卓玛·拉姆", "次仁·央宗"):
        assert households_filtered(county_admin, HouseholdFilter(q=typed)).get() == household
    records = ChangeRecord.objects.filter(reason__startswith="数据迁移：姓名中的间隔号")
    assert sorted((r.before["name"], r.after["name"]) for r in records) == [
        ("卓玛.拉姆", "卓玛·拉姆"), ("扎西•多吉", "扎西·多吉"), ("次仁 ・ 央宗", "次仁·央宗")]
    assert Member.objects.get(pk=head.pk).version == versions[head.pk] + 1
    assert Member.objects.get(pk=others[2].pk).version == versions[others[2].pk]  # not a dot: left as it was
    MIGRATION.unify_dots(apps, None)  # again: nothing left to do
    assert records.count() == 3

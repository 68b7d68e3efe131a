"""Existing relocation data is kept (data migration relocation 0002): each relocated household gets its record, each
free-text 安置点 becomes a site in the township where most of its households live; rerunning adds nothing."""

import importlib

import pytest
from django.apps import apps

from bangfu.registry.models import Household
from bangfu.relocation.models import RelocatedHousehold, ResettlementSite
from tests.conftest import SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("bangfu.relocation.migrations.0002_reloc_from_registry_free_text")


def test_free_text_sites_become_sites(make_household):
    made = [make_household(v) for v in (TUANJIE, SONGBAI, ZHANGZHA_VILLAGE, TUANJIE, TUANJIE)]
    for household, text in zip(made[:4], ("甘沟安置点", " 甘沟安置点 ", "甘沟安置点", ""), strict=True):
        Household.objects.filter(pk=household.pk).update(relocated=True, resettlement_site=text)
    Household.objects.filter(pk=made[4].pk).update(resettlement_site="未搬迁的文字")  # not relocated: no record

    MIGRATION.forwards(apps, None)

    site = ResettlementSite.objects.get()
    assert (site.name, site.township_id) == ("甘沟安置点", SHUANGHE)  # two of three households in 双河镇
    records = {r.household_id: r.site_id for r in RelocatedHousehold.objects.all()}
    assert records == {made[0].pk: site.pk, made[1].pk: site.pk, made[2].pk: site.pk, made[3].pk: None}
    assert Household.objects.get(pk=made[1].pk).resettlement_site == " 甘沟安置点 "  # the text stays
    MIGRATION.forwards(apps, None)
    assert RelocatedHousehold.objects.count() == 4 and ResettlementSite.objects.count() == 1

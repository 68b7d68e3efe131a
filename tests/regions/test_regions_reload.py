"""Reloading writes only what changed; --retire-missing dates the codes a county's new file no longer lists."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.core.scoping import village_scope
from bangfu.regions.models import Region
from bangfu.regions.selectors import region_tree, regions_current, regions_within
from bangfu.regions.services import (
    PACKAGED_JIUZHAIGOU,
    RegionFileError,
    regions_load,
    regions_load_jiuzhaigou,
)
from bangfu.registry.selectors import households_visible_to
from tests.conftest import COUNTY, SHUANGHE, SONGBAI, TUANJIE

PACKAGED = PACKAGED_JIUZHAIGOU.read_text(encoding="utf-8")
AS_OF = dt.date(2025, 1, 1)


def _without(*codes: str) -> str:
    """The packaged file without the rows of `codes` (as next year's file, after villages merged)."""
    return "".join(line for line in PACKAGED.splitlines(keepends=True) if line.split(",")[0] not in codes)


def _tree_codes(root: Region) -> set[str]:
    codes, stack = set(), region_tree(root)
    while stack:
        node = stack.pop()
        codes.add(node["region"].code)
        stack.extend(node["children"])
    return codes


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.django_db
def test_reload_of_same_file_writes_nothing(regions):
    with CaptureQueriesContext(connection) as queries:
        result = regions_load(text=PACKAGED)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 129)
    assert _writes(queries) == []


@pytest.mark.django_db
def test_reload_updates_only_the_changed_row(regions):
    renamed = PACKAGED.replace("团结村村民委员会", "团结村（更名）")
    result = regions_load(text=renamed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 128)
    assert Region.objects.get(code=TUANJIE).name == "团结村（更名）"


@pytest.mark.django_db
def test_command_reports_created_updated_and_unchanged(regions):
    out = io.StringIO()
    call_command("load_regions", stdout=out)
    assert "新增 0，更新 0，未变 129" in out.getvalue()


@pytest.mark.django_db
def test_retire_missing_sets_valid_to_on_codes_the_file_lacks(regions):
    result = regions_load(text=_without(TUANJIE, SONGBAI), retire_missing=True, as_of=AS_OF)
    assert (result.retired, result.unchanged) == (2, 127)
    assert Region.objects.get(code=TUANJIE).valid_to == AS_OF
    assert Region.objects.get(code=SONGBAI).valid_to == AS_OF
    assert Region.objects.filter(valid_to__isnull=False).count() == 2


@pytest.mark.django_db
def test_region_tree_hides_retired_villages(regions):
    regions_load(text=_without(TUANJIE), retire_missing=True, as_of=AS_OF)
    codes = _tree_codes(Region.objects.get(code=COUNTY))
    assert TUANJIE not in codes
    assert SONGBAI in codes and SHUANGHE in codes
    assert regions_current(regions_within(regions[SHUANGHE], level="village")).filter(code=TUANJIE).count() == 0


@pytest.mark.django_db
def test_retirement_dated_in_the_future_shows_until_then(regions):
    later = timezone.localdate() + dt.timedelta(days=30)
    regions_load(text=_without(TUANJIE), retire_missing=True, as_of=later)
    assert TUANJIE in _tree_codes(Region.objects.get(code=COUNTY))
    assert not regions_current(on=later).filter(code=TUANJIE).exists()


@pytest.mark.django_db
def test_retire_missing_clears_valid_to_on_codes_back_in_the_file(regions):
    regions_load(text=_without(TUANJIE), retire_missing=True, as_of=AS_OF)
    result = regions_load(text=PACKAGED, retire_missing=True, as_of=AS_OF)
    assert (result.reactivated, result.updated, result.retired) == (1, 1, 0)
    assert Region.objects.get(code=TUANJIE).valid_to is None
    assert TUANJIE in _tree_codes(Region.objects.get(code=COUNTY))


@pytest.mark.django_db
def test_without_retire_missing_nothing_is_retired(regions):
    result = regions_load(text=_without(TUANJIE))
    assert result.retired == 0
    assert not Region.objects.filter(valid_to__isnull=False).exists()


@pytest.mark.django_db
def test_retire_missing_touches_only_counties_whose_row_is_in_the_file(regions):
    township_only = "code,name,level,parent_code\n" + "".join(
        line for line in PACKAGED.splitlines(keepends=True) if line.startswith("513225103") and TUANJIE not in line)
    result = regions_load(text=township_only, retire_missing=True, as_of=AS_OF)
    assert result.retired == 0
    assert not Region.objects.filter(valid_to__isnull=False).exists()


@pytest.mark.django_db
def test_retire_missing_rejects_a_village_whose_township_would_be_retired(regions):
    text = _without(SHUANGHE)  # its villages stay, their township would be retired under them
    with pytest.raises(RegionFileError, match=f"parent_code：上级 {SHUANGHE} 不在文件中"):
        regions_load(text=text, retire_missing=True, as_of=AS_OF)
    assert not Region.objects.filter(valid_to__isnull=False).exists()


@pytest.mark.django_db
def test_household_in_a_retired_village_stays_in_jurisdiction(make_household, county_admin, tuanjie_cadre):
    household = make_household(TUANJIE)
    regions_load(text=_without(TUANJIE), retire_missing=True, as_of=AS_OF)
    household.refresh_from_db()
    assert household.village_id == TUANJIE
    assert households_visible_to(county_admin).filter(pk=household.pk).exists()
    assert households_visible_to(tuanjie_cadre).filter(pk=household.pk).exists()
    assert Region.objects.filter(village_scope(county_admin, field="code"), code=TUANJIE).exists()


@pytest.mark.django_db
def test_command_retire_missing_with_as_of(regions, tmp_path):
    path = tmp_path / "next-year.csv"
    path.write_text(_without(TUANJIE), encoding="utf-8")
    out = io.StringIO()
    call_command("load_regions", str(path), "--retire-missing", "--as-of", "2025-01-01", stdout=out)
    assert "停用 1，重新启用 0" in out.getvalue()
    assert Region.objects.get(code=TUANJIE).valid_to == AS_OF


@pytest.mark.django_db
def test_command_retire_missing_defaults_to_today(regions, tmp_path):
    path = tmp_path / "next-year.csv"
    path.write_text(_without(TUANJIE), encoding="utf-8")
    call_command("load_regions", str(path), "--retire-missing", stdout=io.StringIO())
    assert Region.objects.get(code=TUANJIE).valid_to == timezone.localdate()
    assert TUANJIE not in _tree_codes(Region.objects.get(code=COUNTY))


@pytest.mark.django_db
@pytest.mark.parametrize("argv", [["--as-of", "2025-01-01"], ["--retire-missing", "--as-of", "2025/01/01"]],
                         ids=["as-of-alone", "bad-date"])
def test_command_rejects_bad_as_of(regions, argv):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("load_regions", *argv)


@pytest.mark.django_db
def test_packaged_tree_has_no_retired_codes_after_plain_load():
    regions_load_jiuzhaigou()
    assert regions_current().count() == 129

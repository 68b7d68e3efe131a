"""The list pages' region tree starts two levels below where the reader sits: a county's townships and villages,
a prefecture's counties and their townships (so a prefecture administrator can pick a county)."""

from bangfu.regions.models import Region
from bangfu.regions.selectors import region_tree
from bangfu.regions.services import regions_load
from tests.accounts.conftest import SONGPAN_ROWS
from tests.conftest import COUNTY, SHUANGHE


def test_a_prefecture_sees_its_counties_then_their_townships(regions):
    regions_load(text=SONGPAN_ROWS)
    tree = region_tree(Region.objects.get(code="513200000000"))
    assert [node["region"].name for node in tree] == ["松潘县", "九寨沟县"]
    assert SHUANGHE in {child["region"].code for child in tree[1]["children"]}


def test_a_county_sees_townships_then_villages(regions):
    tree = region_tree(Region.objects.get(code=COUNTY))
    assert all(node["region"].level == "township" for node in tree)
    assert all(child["region"].level == "village" for node in tree for child in node["children"])

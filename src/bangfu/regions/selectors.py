"""Reads of the administrative tree.

Retired codes (valid_to on or before today) keep their rows, so households that still point at them keep working
and stay inside everyone's jurisdiction (scoping is by code range, not by this flag). Only the places people pick
from — the tree and village lists — leave them out, through `regions_current`.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from bangfu.regions.models import Region


def current_q(on: dt.date | None = None) -> Q:
    """Regions in use on `on` (default today): started (or no start date) and not yet retired."""
    on = on or timezone.localdate()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def regions_current(qs: QuerySet[Region] | None = None, *, on: dt.date | None = None) -> QuerySet[Region]:
    """`qs` (default: all regions) without the codes retired by `on`: for pickers, trees and village lists."""
    return (Region.objects.all() if qs is None else qs).filter(current_q(on))


def regions_within(region: Region, *, level: str | None = None, current: bool = False) -> QuerySet[Region]:
    """Every region in the subtree of `region` (itself included), optionally of one level.

    Retired codes are included unless `current` is set: the subtree is what a jurisdiction covers.
    """
    qs = Region.objects.filter(code__range=region.code_range)
    if level:
        qs = qs.filter(level=level)
    return regions_current(qs) if current else qs


def region_path(region: Region) -> list[Region]:
    """From the root down to `region`."""
    path = [region]
    while path[0].parent_id:
        path.insert(0, path[0].parent)
    return path


TREE_LEVELS = ("province", "city", "county", "township", "village")


def region_tree(root: Region, *, depth_levels: tuple[str, ...] | None = None) -> list[dict]:
    """The subtree below `root` as nested dicts for the list pages' tree: one query. Retired codes are left out.
    By default the two levels below the root (a county: townships and villages; a prefecture: counties and
    townships; the province: prefectures and counties)."""
    if depth_levels is None:
        below = TREE_LEVELS.index(root.level) + 1 if root.level in TREE_LEVELS else len(TREE_LEVELS)
        depth_levels = TREE_LEVELS[below:below + 2]
    nodes = {root.code: {"region": root, "children": []}}
    for region in regions_within(root, current=True).filter(level__in=depth_levels).order_by("code"):
        nodes[region.code] = {"region": region, "children": []}
    for code, node in nodes.items():
        parent = node["region"].parent_id
        if code != root.code and parent in nodes:
            nodes[parent]["children"].append(node)
    return nodes[root.code]["children"]


def region_root_for(user) -> Region | None:
    """Where a user's tree starts: their own region; for a superuser bound to none, the one top of the tree when
    the database holds a single one (never "the first county": with two provinces loaded they must choose)."""
    if user.region_id:
        return user.region
    if not user.is_superuser:
        return None
    tops = list(Region.objects.filter(parent__isnull=True).order_by("code")[:2])
    return tops[0] if len(tops) == 1 else None

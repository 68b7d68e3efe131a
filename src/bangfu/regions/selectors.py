"""Reads of the administrative tree."""

from django.db.models import QuerySet

from bangfu.regions.models import Region


def regions_within(region: Region, *, level: str | None = None) -> QuerySet[Region]:
    """Every region in the subtree of `region` (itself included), optionally of one level."""
    qs = Region.objects.filter(code__range=region.code_range)
    if level:
        qs = qs.filter(level=level)
    return qs


def region_path(region: Region) -> list[Region]:
    """From the root down to `region`."""
    path = [region]
    while path[0].parent_id:
        path.insert(0, path[0].parent)
    return path


def region_tree(root: Region, *, depth_levels: tuple[str, ...] = ("township", "village")) -> list[dict]:
    """The subtree below `root` as nested dicts for the list pages' tree: one query."""
    nodes = {root.code: {"region": root, "children": []}}
    for region in regions_within(root).filter(level__in=depth_levels).order_by("code"):
        nodes[region.code] = {"region": region, "children": []}
    for code, node in nodes.items():
        parent = node["region"].parent_id
        if code != root.code and parent in nodes:
            nodes[parent]["children"].append(node)
    return nodes[root.code]["children"]

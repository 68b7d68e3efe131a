"""A schematic map (示意图) of a county's township-level units, as GeoJSON that ECharts draws offline.

No open file of 九寨沟县's township boundaries, under a licence that allows shipping it in the package, was
at hand when this was built (the machine is offline; official boundary data is not openly licensed), so the map
is a schematic: one hexagon per township, placed roughly where it lies (north at the top), and labelled as a
schematic on the page. A township not in the layout (another county's data) is added on a row below, so the map
never loses a place. Coordinates are abstract units, not degrees.
"""

import math

# (row, column) of each township-level unit of 九寨沟县, north at row 0; odd rows sit half a hexagon right.
LAYOUT = {
    "513225400000": (0, 1),  # 九寨沟国营牧场
    "513225104000": (0, 2),  # 黑河镇
    "513225205000": (0, 3),  # 保华乡
    "513225201000": (0, 4),  # 永和乡
    "513225214000": (1, 0),  # 大录乡
    "513225101000": (1, 1),  # 漳扎镇
    "513225203000": (1, 2),  # 白河乡
    "513225102000": (1, 3),  # 南坪镇（县城）
    "513225103000": (1, 4),  # 双河镇
    "513225105000": (1, 5),  # 勿角镇
    "513225213000": (2, 0),  # 玉瓦乡
    "513225401000": (2, 1),  # 九寨沟风景名胜管理局
    "513225210000": (2, 2),  # 草地乡
    "513225209000": (2, 3),  # 郭元乡
}


def _hexagon(cx: float, cy: float, r: float = 0.56) -> list[list[float]]:
    points = [[round(cx + r * math.cos(math.radians(60 * i + 30)), 4),
               round(cy + r * math.sin(math.radians(60 * i + 30)), 4)] for i in range(6)]
    return [*points, points[0]]


def schematic_geojson(places) -> dict:
    """A FeatureCollection with one hexagon per place (Region objects), each named by its code (the map's key)."""
    features, extra = [], 0
    rows = max((row for row, _col in LAYOUT.values()), default=0) + 1
    for place in places:
        if place.code in LAYOUT:
            row, col = LAYOUT[place.code]
        else:
            row, col = rows + extra // 6, extra % 6
            extra += 1
        cx = col * 1.0 + (0.5 if row % 2 else 0)
        cy = -row * 0.87
        features.append({"type": "Feature", "properties": {"name": place.code, "label": place.name},
                         "geometry": {"type": "Polygon", "coordinates": [_hexagon(cx, cy)]}})
    return {"type": "FeatureCollection", "features": features}

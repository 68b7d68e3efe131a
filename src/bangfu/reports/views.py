"""The dashboards, the county map and the statistics tables: thin views over reports.dashboard."""

import json
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.reports.dashboard import (
    LEVEL_LABELS,
    PLACE_INDICATOR_BY_KEY,
    dashboard_figures,
    place_indicators_for,
    place_table,
    scope_for,
)
from bangfu.web.helpers import require_capability


def short_place_name(name: str) -> str:
    """A place's name short enough for a hexagon or a button on a phone (团结村, 国营牧场, 风景名胜管理局)."""
    from bangfu.regions.models import short_region_name

    short = short_region_name(name)
    rest = short.removeprefix("九寨沟")
    return rest if len(rest) >= 3 else short


def _scope(request):
    require_capability(request.user, "registry.view")
    return scope_for(request.user, region=request.GET.get("region", "")[:12], unit=request.GET.get("unit", "")[:12],
                     period=request.GET.get("period", "")[:10])


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _trail(scope) -> list[tuple[str, str]]:
    """The places above this one the reader may open (县 › 乡镇 › 村), each a dashboard link."""
    from bangfu.core.scoping import region_in_scope

    trail, region = [], scope.region
    while region is not None and region.level in ("county", "township", "village"):
        if region_in_scope(scope.user, region.code):
            trail.append((region.name, f"?{scope.query(region=region.code)}"))
        region = region.parent
    return list(reversed(trail))


@login_required
def dashboard(request):
    """统计看板 for a county, township, village or assisting unit: every figure links to the list behind it."""
    scope = _scope(request)
    groups = dashboard_figures(scope)
    series_labels = {"monitored": _("监测对象"), "risk_open": _("风险未消除"), "identified": _("识别监测"),
                     "eliminated": _("风险消除"), "cases": _("逾期案件"), "risk": _("监测户数"), "projects": _("项目个数"),
                     "project_funds": _("项目资金（元）")}
    charts = {group.key: {"chart": group.chart, "cells": [
        {"label": c.label, "value": _number(c.value), "url": c.url, "series": c.series} for c in cells]}
        for group, cells in groups if group.chart in ("bar", "line")}
    for _group, cells in groups:
        for cell in cells:
            cell.series_label = series_labels.get(cell.series, "")
    places = [(short_place_name(place.name), f"?{scope.query(region=place.code)}") for place in scope.places]
    return render(request, "reports/dashboard.html", {
        "scope": scope, "groups": groups, "level_label": LEVEL_LABELS.get(scope.level, ""),
        "periods": scope.period_choices, "trail": _trail(scope), "places": places,
        "charts": json.dumps({"groups": charts, "labels": series_labels}, ensure_ascii=False),
        # A chart with nothing to draw (every value 0, or no cell) says so in words above its empty axes.
        "empty_charts": {group.key for group, cells in groups
                         if group.chart in ("bar", "line") and not any(cell.value for cell in cells)},
        "map_url": reverse("reports:county_map") + f"?period={scope.period.key}" if scope.level == "county" else "",
        "statistics_url": reverse("reports:statistics") + f"?{scope.query()}",
    })


@login_required
def county_map(request):
    """The county map by township (a schematic), coloured by a chosen indicator; hover for the township's figures,
    click to open its dashboard."""
    from bangfu.reports.schematic import schematic_geojson

    scope = _scope(request)
    indicators = place_indicators_for(scope)
    chosen = PLACE_INDICATOR_BY_KEY.get(request.GET.get("indicator", ""))
    if chosen not in indicators:
        chosen = indicators[1] if len(indicators) > 1 else indicators[0]
    rows = place_table(scope, indicators)
    data = [{"name": place.code, "label": place.name, "short": short_place_name(place.name),
             "value": _number(next(c.value for c in cells if c.key == chosen.key)),
             "figures": [[c.label, _number(c.value)] for c in cells],
             "url": reverse("reports:dashboard") + f"?{scope.query(region=place.code)}"} for place, cells in rows]
    return render(request, "reports/county_map.html", {
        "scope": scope, "indicators": indicators, "chosen": chosen, "rows": rows,
        "periods": scope.period_choices,
        "map": json.dumps({"geo": schematic_geojson([place for place, _cells in rows]), "data": data,
                           "indicator": str(chosen.label)}, ensure_ascii=False),
    })


@login_required
def statistics(request):
    """统计表: place × indicator, unit × indicator, month × indicator, printable on A4 and exportable through the one
    list export (reports/listexports.py), with this page's place and period."""
    from django.http import QueryDict

    from bangfu.reports.statistics import statistics_tables
    from bangfu.web.exports import list_export_context

    scope = _scope(request)
    return render(request, "reports/statistics.html", {
        "scope": scope, "tables": statistics_tables(scope), "periods": scope.period_choices,
        **list_export_context(request, "statistics", query=QueryDict(scope.query())),
    })

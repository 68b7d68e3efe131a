"""The relocation and care pages' figures from the kept village rows (`VillageWelfareFigure`, `VillageSiteFigure`),
so /relocation/ and /care/ read a few hundred rows instead of counting the registry per request.

The rows are recounted by the writers' own refresh (`reports.summaries.village_summaries_refresh`) and by the
periodic job `welfare-quarter` when the quarter or the day turns. Each reader checks that every village in the
reader's jurisdiction has a row for today's year and quarter (and, for the care lists, counted today); otherwise it
returns None and the page counts live from the same definitions (relocation.indicators, care.groups), so a page
never shows a stale figure. tests/reports/test_welfare_pages.py proves kept == live after writes.
"""

import datetime as dt

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from bangfu.core.scoping import village_scope
from bangfu.regions.models import Region


def _fresh_rows(user, day: dt.date, *, counted_today: bool):
    """The reader's welfare rows when every village of their jurisdiction has a fresh one, else None."""
    from bangfu.care.groups import quarter_start
    from bangfu.reports.selectors import welfare_figures_visible_to

    rows = welfare_figures_visible_to(user)
    fresh = Q(year=day.year, quarter_start=quarter_start(day)) & (Q(counted_on=day) if counted_today else Q())
    villages = Region.objects.filter(village_scope(user, field="code"), level=Region.Level.VILLAGE).count()
    if not villages or rows.filter(fresh).count() != villages:
        return None
    return rows


def kept_coverage(user, *, day: dt.date | None = None):
    """(by_site, by_township, total) of 至少1人就业 as `relocation.indicators.coverage` gives them, from the kept
    rows; None when they are not fresh."""
    from django.utils.translation import gettext as _

    from bangfu.relocation.indicators import NO_SITE, CoverageRow
    from bangfu.relocation.models import ResettlementSite
    from bangfu.reports.models import VillageSiteFigure

    day = day or dt.date.today()
    if _fresh_rows(user, day, counted_today=False) is None:
        return None
    rows = list(VillageSiteFigure.objects.filter(village_scope(user)).order_by().values_list(
        "village_id", "site_key", "relocated_labour", "relocated_employed"))
    by_site: dict[str, list[int]] = {}
    by_township: dict[str, list[int]] = {}
    for village, site, labour, employed in rows:
        for bucket, key in ((by_site, site), (by_township, village[:9].ljust(12, "0"))):
            cell = bucket.setdefault(key, [0, 0])
            cell[0] += labour
            cell[1] += employed
    sites = dict(ResettlementSite.objects.filter(pk__in=[k for k in by_site if k != NO_SITE])
                 .values_list("pk", "name"))
    names = dict(Region.objects.filter(code__in=by_township).values_list("code", "name"))
    site_rows = [CoverageRow(key, sites.get(int(key), key) if key != NO_SITE else str(_("安置点未登记")), n, e)
                 for key, (n, e) in by_site.items() if n]
    township_rows = [CoverageRow(key, names.get(key, key), n, e) for key, (n, e) in by_township.items() if n]
    total = CoverageRow("", str(_("合计")), sum(r.with_labour for r in site_rows), sum(r.employed for r in site_rows))
    return (sorted(site_rows, key=lambda row: (row.key == NO_SITE, row.name)),
            sorted(township_rows, key=lambda row: (row.key == NO_SITE, row.name)), total)


def kept_care(user, *, day: dt.date | None = None) -> dict | None:
    """The care page's figures (each named list's members; 八必访 must-visit, due and overdue) from the kept rows;
    None when they are not fresh (counted today, this quarter)."""
    from bangfu.care.groups import GROUPS

    day = day or dt.date.today()
    rows = _fresh_rows(user, day, counted_today=True)
    if rows is None:
        return None
    totals = rows.aggregate(must=Coalesce(Sum("must_visit"), 0), visited=Coalesce(Sum("visited"), 0),
                            recent=Coalesce(Sum("visited_recent"), 0), n=Count("pk"))
    groups = dict.fromkeys((group.key for group in GROUPS), 0)
    for counted in rows.values_list("group_members", flat=True):
        for key, n in (counted or {}).items():
            if key in groups:
                groups[key] += n
    return {"groups": groups, "must_visit": totals["must"], "due": totals["must"] - totals["visited"],
            "overdue": totals["must"] - totals["recent"]}

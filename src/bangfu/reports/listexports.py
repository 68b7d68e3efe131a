"""The statistics tables as .xlsx through the one list export (bangfu.web.exports): three sheets, 分地区 / 分单位 /
分月, whose cells are the page's cells (reports.statistics.statistics_tables over reports.dashboard), never a second
count. Counts only, no names; each export is logged all the same (whose figures, which period, who took them)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.web.exports import ListExport, list_export, region_words
from bangfu.web.forms import Form


class StatisticsFilter(Form):
    """The statistics page's own query (Scope.query): the place or unit and the period."""

    region = forms.CharField(label=gettext_lazy("地区"), max_length=12, required=False)
    unit = forms.CharField(label=gettext_lazy("帮扶单位"), max_length=12, required=False)
    period = forms.CharField(label=gettext_lazy("统计期"), max_length=10, required=False)


def _unit_words(pk: str) -> str:
    from bangfu.assistance.models import Unit

    unit = Unit.objects.filter(pk=int(pk) if str(pk).isdigit() else 0).first()
    return unit.label if unit else str(pk)


def _period_words(key: str) -> str:
    from bangfu.reports.dashboard import period_from

    return _("规划期") if key == "plan" else period_from(key).label


def statistics_scope(user, values: dict):
    """The reader's statistics tables for the filter, through the dashboards' jurisdiction door; a place or unit
    out of reach is refused with the reason, and nothing is written."""
    from bangfu.reports.dashboard import scope_for

    try:
        return scope_for(user, region=values.get("region") or "", unit=values.get("unit") or "",
                         period=values.get("period") or "")
    except Http404 as refused:
        raise PermissionDenied(_("不能导出统计表：%(reason)s") % {"reason": refused}) from None


def _sheets(user, values: dict) -> list:
    from bangfu.reports.statistics import statistics_sheets

    return statistics_sheets(statistics_scope(user, values))


STATISTICS = list_export(ListExport(
    key="statistics", title=gettext_lazy("统计表"), form=lambda user, data: StatisticsFilter(data), sheets=_sheets,
    allowed=lambda user: user.can("registry.view") and user.can("registry.export"), inline=True,
    words={"region": region_words, "unit": _unit_words, "period": _period_words},
    release="export_figures",
))

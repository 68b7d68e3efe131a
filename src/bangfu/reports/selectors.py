"""Reads of kept figures, through the jurisdiction door like every read of people's data."""

from django.db.models import QuerySet

from bangfu.core.scoping import village_scope
from bangfu.reports.models import MonthlyFigure, VillageSummary


def village_summaries_visible_to(user) -> QuerySet[VillageSummary]:
    """The summary rows of the villages in the user's jurisdiction."""
    return VillageSummary.objects.filter(village_scope(user))


def monthly_figures_visible_to(user) -> QuerySet[MonthlyFigure]:
    """The month rows of the villages in the user's jurisdiction."""
    return MonthlyFigure.objects.filter(village_scope(user))


def welfare_figures_visible_to(user):
    """The welfare rows (搬迁就业, 八必访) of the villages in the user's jurisdiction."""
    from bangfu.reports.models import VillageWelfareFigure

    return VillageWelfareFigure.objects.filter(village_scope(user))


def risk_figures_visible_to(user):
    """The risk-type rows (监测对象按风险类型) of the villages in the user's jurisdiction."""
    from bangfu.reports.models import VillageRiskFigure

    return VillageRiskFigure.objects.filter(village_scope(user))

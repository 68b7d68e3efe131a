"""The relocation lists as .xlsx through the one list export (bangfu.web.exports); columns from relocation.tables."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from bangfu.relocation.filters import RELOCATED_FILTERS, relocated_rows
from bangfu.relocation.models import Workshop
from bangfu.relocation.selectors import sites_visible_to
from bangfu.relocation.tables import HOUSEHOLD_COLUMNS, SITE_COLUMNS
from bangfu.web.exports import ListExport, filter_set_form, list_export, no_filters

list_export(ListExport(
    key="relocation-sites", title=_("安置点"), inline=True, form=no_filters,
    rows=lambda user, values: sites_visible_to(user).order_by("township_id", "name"),
    prepare=lambda rows: rows.select_related("township").prefetch_related(
        Prefetch("workshops", queryset=Workshop.objects.order_by("name"))),
    allowed=lambda user: user.can("registry.view"), columns=SITE_COLUMNS,
))

list_export(ListExport(
    key="relocation-households", title=_("易地搬迁户"), form=filter_set_form(RELOCATED_FILTERS),
    rows=relocated_rows, allowed=lambda user: user.can("registry.export"), columns=HOUSEHOLD_COLUMNS,
    named=True,
))

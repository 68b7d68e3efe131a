from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bangfu.monitoring.forms import MonitoringLineForm
from bangfu.monitoring.selectors import monitoring_lines_for_user
from bangfu.monitoring.services import monitoring_line_save
from bangfu.regions.models import Region
from bangfu.web.helpers import form_errors_from


def _county_of(user) -> Region | None:
    if not user.region_id:
        return None
    return Region.objects.filter(code=user.region.code[:6].ljust(12, "0")).first()


@login_required
def monitoring_lines(request):
    """The monitoring line per year: what is in force here, and the county's own setting."""
    if not request.user.region_id:
        raise PermissionDenied(_("监测范围按区划设定，您的账号未绑定区划"))
    can_configure = request.user.can("monitoring.configure")
    county = _county_of(request.user)
    form = MonitoringLineForm(request.POST or None)
    if request.method == "POST":
        if not can_configure:
            raise PermissionDenied(_("您的角色不能修改监测范围"))
        if form.is_valid():
            try:
                line = monitoring_line_save(actor=request.user, region=county, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已设置%(region)s%(year)s年监测线为 %(amount)s 元") % {
                    "region": line.region.name, "year": line.year, "amount": line.amount})
                return redirect("monitoring:lines")
    return render(request, "monitoring/lines.html", {
        "rows": monitoring_lines_for_user(request.user), "form": form, "county": county,
        "can_configure": can_configure,
    })

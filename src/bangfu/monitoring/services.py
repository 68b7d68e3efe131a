"""Writes to monitoring configuration. Policy numbers are data the county edits; every change is audited."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.monitoring.models import MonitoringLine
from bangfu.regions.models import Region


def _require_configure(actor, region: Region) -> None:
    if not actor.can("monitoring.configure"):
        raise PermissionDenied(_("您的角色不能修改监测范围"))
    if not actor.is_superuser and not (actor.region_id and actor.region.contains(region.code)):
        raise PermissionDenied(_("只能设置本辖区的监测范围"))


@transaction.atomic
def monitoring_line_save(*, actor, region: Region, year: int, amount, source: str = "") -> MonitoringLine:
    """Set the per-capita income line for a region and year (it overrides the province's for that county)."""
    _require_configure(actor, region)
    errors: dict[str, str] = {}
    this_year = dt.date.today().year
    if not 2015 <= int(year) <= this_year + 1:
        errors["year"] = _("年度应在2015至%(year)s之间") % {"year": this_year + 1}
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not Decimal("1000") <= value <= Decimal("100000"):
        errors["amount"] = _("监测线应为1,000至100,000元之间的金额")
    if region.level not in (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY):
        errors["region"] = _("监测范围按省、市或县设定")
    if errors:
        raise ValidationError(errors)
    line = MonitoringLine.objects.select_for_update().filter(region=region, year=year).first()
    before = snapshot(line) if line else None
    if line is None:
        line = MonitoringLine(region=region, year=year)
    line.amount, line.source = value, source.strip()[:200]
    line.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE if before else ChangeRecord.Action.CREATE,
                  instance=line, before=before, after=snapshot(line), region_code=region.code)
    return line

"""Fast factories for monitoring tests: feed rows written directly (as a committed upload would write them)."""

import datetime as dt
from decimal import Decimal

from bangfu.monitoring.models import FeedRow, FeedUpload, RiskWarning, Rule
from bangfu.registry.models import IncomeRecord, Member


def feed_row(member: Member, kind: str, period: str = "2025-05", **slots) -> FeedRow:
    upload = FeedUpload.objects.create(kind=kind, period=period, file_name=f"{kind}.xlsx", rows=1, matched=1)
    return FeedRow.objects.create(upload=upload, kind=kind, period=period, row_number=2, member=member,
                                  household_id=member.household_id, **slots)


def cents(yuan) -> int:
    return int(Decimal(str(yuan)) * 100)


def income(household, year: int, *, net, members: int = 1) -> IncomeRecord:
    return IncomeRecord.objects.create(household=household, year=year, members_counted=members,
                                       wage_income=Decimal(str(net)))


def head(household) -> Member:
    return household.members.get(relation="head")


def warned(code: str) -> set[int]:
    """Household ids with a warning of this rule."""
    return set(RiskWarning.objects.filter(rule__code=code).values_list("household_id", flat=True))


def set_params(code: str, **params) -> None:
    rule = Rule.objects.get(code=code)
    rule.params = {**rule.params, **params}
    rule.save()


def birthday_years_before(day: dt.date, years: int, *, days: int = 0) -> dt.date:
    return day.replace(year=day.year - years) - dt.timedelta(days=days)

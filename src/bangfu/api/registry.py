"""Households and members, read through the jurisdiction door. Personal data is masked."""


from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from bangfu.api.errors import ERRORS, ErrorOut
from bangfu.registry.filters import HOUSEHOLD_FILTERS
from bangfu.registry.selectors import (
    HouseholdFilter,
    attach_member_counts,
    household_get_for_user,
    household_income_history,
    household_members,
    households_paginator,
)

router = Router(tags=["一户一档"])


class HouseholdOut(Schema):
    id: int
    number: str
    village_code: str
    village_name: str
    group: str
    head_name: str
    household_type: str
    monitoring_type: str
    monitoring_status: str
    phone_masked: str
    member_count: int | None = None


class MemberOut(Schema):
    id: int
    name: str
    relation: str
    id_number_masked: str
    sex: str
    birth_year: int  # not the full date: with the masked number it would give the whole number back
    age: int
    health: str
    labour_ability: str


class IncomeOut(Schema):
    year: int
    members_counted: int
    net_income: str
    per_capita_net_income: str


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]
    income: list[IncomeOut]




class HouseholdPage(Schema):
    count: int
    count_capped: bool = False
    offset: int
    limit: int
    results: list[HouseholdOut]


# The list page's filters (registry.filters, declared once) plus paging: a link's parameters work here too.
HouseholdQuery = type("HouseholdQuery", (Schema,), {
    "__annotations__": {**{name: kind for name, (kind, _default) in HOUSEHOLD_FILTERS.api_fields().items()},
                        "offset": int, "limit": int},
    **{name: default for name, (_kind, default) in HOUSEHOLD_FILTERS.api_fields().items()},
    "offset": Field(0, ge=0, le=10_000_000), "limit": Field(50, ge=1, le=500),
})


def _household_out(h, member_count=None) -> dict:
    return {
        "id": h.pk, "number": h.number, "village_code": h.village_id, "village_name": h.village.name,
        "group": h.group, "head_name": h.head_name, "household_type": h.household_type,
        "monitoring_type": h.monitoring_type, "monitoring_status": h.monitoring_status,
        "phone_masked": h.phone_masked, "member_count": member_count,
    }


def _release(request, *, what: str, instance, household_id=None, region_code: str = "", filters: str = "",
             rows: int) -> None:
    """An answer carrying names with health, disability, income or monitoring details is a logged release, as an
    export is (敏感信息查看与导出)."""
    from bangfu.audit.services import reveal_record

    reveal_record(actor=request.user, field="api", instance=instance, household_id=household_id,
                  region_code=region_code, what=what, filters=filters, rows=rows)


def _require_view(request) -> None:
    if not request.user.can("registry.view"):
        raise PermissionDenied(_("您的角色不能查看农户档案"))


@router.get("/", response={200: HouseholdPage, **ERRORS}, summary="农户列表（按管辖范围）")
def household_list(request, filters: Query[HouseholdQuery]):
    _require_view(request)
    limit, offset = filters.limit, filters.offset
    paginator = households_paginator(request.user, HouseholdFilter.from_values(filters.dict()), per_page=limit)
    rows = [_household_out(h, h.member_count) for h in attach_member_counts(paginator.rows(offset, limit))]
    chosen = {k: v for k, v in filters.dict().items() if v not in (None, "", False) and k not in ("offset", "limit")}
    if chosen.get("region"):
        from bangfu.web.exports import region_words

        chosen["region"] = region_words(chosen["region"])  # a code of 12 digits would read as an identifier
    _release(request, what=_("农户列表（接口）"), instance=request.user, region_code=request.user.region_id or "",
             filters="；".join([*(f"{k}={v}" for k, v in sorted(chosen.items())), f"offset={offset}", f"limit={limit}"]),
             rows=len(rows))
    # With a search the count stops at a cap (count_capped says so); without one it is the kept total.
    return {"count": paginator.count, "count_capped": paginator.count_capped, "offset": offset, "limit": limit,
            "results": rows}


@router.get("/{household_id}", response={200: HouseholdDetailOut, 404: ErrorOut, **ERRORS}, summary="农户详情（敏感信息脱敏）")
def household_detail(request, household_id: int):
    _require_view(request)
    household = household_get_for_user(request.user, pk=household_id)
    data = _household_out(household)
    data["members"] = [
        {"id": m.pk, "name": m.name, "relation": m.relation, "id_number_masked": m.id_number_masked, "sex": m.sex,
         "birth_year": m.birth_date.year, "age": m.age, "health": m.health, "labour_ability": m.labour_ability}
        for m in household_members(household)
    ]
    data["income"] = [
        {"year": r.year, "members_counted": r.members_counted, "net_income": str(r.net_income),
         "per_capita_net_income": str(r.per_capita_net_income)}
        for r in household_income_history(household)
    ]
    data["member_count"] = len(data["members"])
    _release(request, what=_("农户详情（接口）"), instance=household, household_id=household.pk,
             region_code=household.village_id, rows=len(data["members"]))
    return data

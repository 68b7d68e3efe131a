"""Every read of user accounts, through the same door as people's data: the actor's region subtree.

A region-bound actor sees the users bound inside its subtree, and the users of assisting units whose county lies
inside it. A unit-bound actor, or one bound nowhere, sees nobody: units do not manage accounts. Superusers are
outside every subtree, so only a superuser sees (and so may change) another superuser.
"""

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.roles import CAPABILITIES, Role
from bangfu.assistance.models import Unit
from bangfu.core.scoping import code_range_q
from bangfu.regions.models import Region
from bangfu.regions.selectors import regions_current


@dataclass
class UserFilter:
    """The user list's filter form, as data."""

    q: str = ""
    role: str = ""
    status: str = ""  # "", "active" or "inactive"


def _manages_nothing(actor) -> bool:
    return not getattr(actor, "is_authenticated", False) or not actor.is_active


def users_visible_to(actor) -> QuerySet[User]:
    """The accounts bound inside the actor's jurisdiction (region subtree; units of a county in it)."""
    if _manages_nothing(actor):
        return User.objects.none()
    if actor.is_superuser:
        return User.objects.all()
    if actor.unit_id or not actor.region_id:
        return User.objects.none()
    code_range = actor.region.code_range
    bound_to_region = Q(unit__isnull=True) & code_range_q(code_range, field="region_id")
    bound_to_unit = Q(unit__isnull=False) & code_range_q(code_range, field="unit__county_id")
    return User.objects.filter(bound_to_region | bound_to_unit, is_superuser=False)


def user_get_for_user(actor, *, pk: int) -> User:
    """One account, or 404 when it does not exist or lies outside the actor's jurisdiction."""
    try:
        return users_visible_to(actor).select_related("region__parent", "unit").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该用户，或不在您的管辖范围内")) from None


def users_filtered(actor, flt: UserFilter) -> QuerySet[User]:
    """The user list: jurisdiction first, then the filter; the binding joined so the page runs one query."""
    qs = users_visible_to(actor)
    text = flt.q.strip()
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(full_name__icontains=text))
    if flt.role:
        qs = qs.filter(role=flt.role)
    if flt.status == "active":
        qs = qs.filter(is_active=True)
    elif flt.status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.select_related("region__parent", "unit").order_by(F("region_id").asc(nulls_last=True), "unit__name",
                                                                 "username")


def regions_assignable_by(actor) -> QuerySet[Region]:
    """The places the actor may bind an account to: its own region and the counties, townships and villages in
    its subtree, in tree order (a township is followed by its villages)."""
    if _manages_nothing(actor):
        return Region.objects.none()
    qs = regions_current(Region.objects.select_related("parent")).order_by("code")
    levels = Q(level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP, Region.Level.VILLAGE])
    if actor.is_superuser:
        return qs.filter(levels)
    if actor.unit_id or not actor.region_id:
        return Region.objects.none()
    return qs.filter(code_range_q(actor.region.code_range, field="code")).filter(levels | Q(code=actor.region_id))


def units_assignable_by(actor) -> QuerySet[Unit]:
    """The assisting units whose county lies in the actor's subtree."""
    if _manages_nothing(actor):
        return Unit.objects.none()
    if actor.is_superuser:
        return Unit.objects.order_by("-is_lead", "name")
    if actor.unit_id or not actor.region_id:
        return Unit.objects.none()
    return Unit.objects.filter(code_range_q(actor.region.code_range, field="county_id")).order_by("-is_lead", "name")


def roles_assignable_by(actor) -> list[Role]:
    """The roles a manager may give (or manage): those that can do nothing the manager cannot."""
    if actor.is_superuser:
        return list(Role)
    own = CAPABILITIES.get(actor.role, frozenset())
    return [role for role in Role if CAPABILITIES.get(role, frozenset()) <= own]

"""The jurisdiction door: which villages' data a user may see.

A user bound to a region sees its whole subtree; a user bound to an assisting unit sees the unit's linked
villages; anyone else sees nothing. Every selector of people's data filters through `village_scope`.
"""

from django.db.models import Q


def code_range_q(code_range: tuple[str, str], *, field: str = "village_id") -> Q:
    """Codes within an inclusive range, as two comparisons (foreign keys have no __range lookup)."""
    low, high = code_range
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def linked_villages(unit_id: int) -> set[str]:
    """The villages a unit is linked to today: a link that has ended no longer opens the village."""
    import datetime as dt

    from bangfu.assistance.models import LinkedVillage

    today = dt.date.today()
    links = LinkedVillage.objects.filter(unit_id=unit_id).filter(Q(until__isnull=True) | Q(until__gte=today))
    return set(links.filter(Q(since__isnull=True) | Q(since__lte=today)).values_list("village_id", flat=True))


def village_scope(user, *, field: str = "village_id") -> Q:
    """A filter on a village-code field that keeps only rows inside the user's jurisdiction."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if user.unit_id:
        return Q(**{f"{field}__in": list(linked_villages(user.unit_id))})
    if user.region_id:
        return code_range_q(user.region.code_range, field=field)
    return Q(pk__in=[])


def region_in_scope(user, code: str) -> bool:
    """May the user see the region with this code (or any part of it, for tree navigation)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.unit_id:
        return code in linked_villages(user.unit_id)
    return bool(user.region_id) and user.region.contains(code)

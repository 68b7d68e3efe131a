"""Every read of relocation follow-up, through the jurisdiction door: sites in the user's townships, relocated
households and employment of the user's households."""

from django.db.models import QuerySet

from bangfu.core.scoping import village_scope
from bangfu.registry.models import Household
from bangfu.registry.selectors import households_visible_to
from bangfu.relocation.indicators import relocated_households
from bangfu.relocation.models import Employment, ResettlementSite


def sites_visible_to(user) -> QuerySet[ResettlementSite]:
    """The sites in townships the user can see (a site is not personal data, but a village cadre's list is his
    township's)."""
    if user.is_superuser:
        return ResettlementSite.objects.all()
    if getattr(user, "unit_id", None):
        villages = households_visible_to(user).values_list("village_id", flat=True)
        codes = {code[:9] + "000" for code in villages.distinct()}
        return ResettlementSite.objects.filter(township_id__in=codes)
    if not getattr(user, "region_id", None):
        return ResettlementSite.objects.none()
    region = user.region
    if region.level == "village":
        return ResettlementSite.objects.filter(township_id=region.parent_id)
    return ResettlementSite.objects.filter(village_scope(user, field="township_id"))


def relocated_households_visible_to(user) -> QuerySet[Household]:
    return relocated_households(households_visible_to(user)).select_related(
        "village__parent", "relocation__site", "relocation__former_village").order_by("village_id", "number")


def employment_visible_to(user) -> QuerySet[Employment]:
    return Employment.objects.filter(member__household__in=relocated_households(households_visible_to(user))
                                     ).select_related("member__household", "workshop").order_by(
        "member__household__number", "member_id", "-year")

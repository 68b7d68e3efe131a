"""Reads of the change history, scoped like the data they describe."""

from django.db.models import QuerySet

from bangfu.audit.models import ChangeRecord, RevealRecord
from bangfu.core.scoping import village_scope


def change_records_visible_to(user) -> QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(village_scope(user, field="region_code")).select_related("actor")


def reveal_records_visible_to(user) -> QuerySet[RevealRecord]:
    return RevealRecord.objects.filter(village_scope(user, field="region_code")).select_related("actor")


def audit_filtered(queryset: QuerySet, *, actor: str = "", date_from=None, date_to=None, action: str = "",
                   object_type: str = "", username_too: bool = False) -> QuerySet:
    """The audit page's filters, on change or reveal records already scoped to the reader."""
    from django.db.models import Q

    if actor.strip():
        who = Q(actor__username__icontains=actor.strip()) | Q(actor__full_name__icontains=actor.strip())
        if username_too:  # security events also name usernames that match no account
            who |= Q(username__icontains=actor.strip())
        queryset = queryset.filter(who)
    if date_from:
        queryset = queryset.filter(at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(at__date__lte=date_to)
    if action:
        queryset = queryset.filter(action=action)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    return queryset


def audit_rows(user, values: dict, *, view: str) -> QuerySet:
    """The audit page's rows for one of its tabs (changes, reveals, security) and its filter's cleaned values."""
    if view == "security":
        records = security_events_visible_to(user)
    else:
        records = reveal_records_visible_to(user) if view == "reveals" else change_records_visible_to(user)
    plain = view in ("reveals", "security")
    return audit_filtered(records, actor=values.get("actor") or "", date_from=values.get("date_from"),
                          date_to=values.get("date_to"), action="" if plain else values.get("action") or "",
                          object_type="" if plain else values.get("object_type") or "",
                          username_too=view == "security")


def security_events_visible_to(user) -> QuerySet:
    """Failed logins, locks and duplicate-ID hits about users in the reader's jurisdiction; events naming no known
    user (a mistyped or invented username) only for readers bound to a county or above."""
    from django.db.models import Q

    from bangfu.audit.models import SecurityEvent

    scope = village_scope(user, field="region_code")
    if user.is_superuser or (user.region_id and user.region.level in ("province", "city", "county")):
        scope = scope | Q(region_code="")
    return SecurityEvent.objects.filter(scope).select_related("actor")


def audit_subjects(records) -> list:
    """Name what each record on one page is about, in one query per kind: a household by its number and head
    (not "农户档案 #5954"), an export by its job's title, which names its scope (not "任务 #4")."""
    from bangfu.jobs.models import Job
    from bangfu.registry.models import Household

    rows = list(records)
    households = {h.pk: f"{h.number} {h.head_name}".strip() for h in Household.objects.filter(
        pk__in={r.household_id for r in rows if r.household_id}).only("number", "head_name")}
    jobs = dict(Job.objects.filter(pk__in={int(r.object_id) for r in rows if getattr(r, "object_type", "") == "job"
                                           and str(r.object_id).isdigit()}).values_list("pk", "title"))
    for record in rows:
        record.household_label = households.get(record.household_id, "")
        record.job_title = jobs.get(int(record.object_id), "") if str(record.object_id).isdigit() else ""
    return rows

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
    from bangfu.audit.filters import OBJECT_TYPES

    related = related_labels(rows)
    types = dict(OBJECT_TYPES[1:])
    for record in rows:
        record.type_label = types.get(getattr(record, "object_type", ""), "")
        record.household_label = households.get(record.household_id, "")
        record.job_title = jobs.get(int(record.object_id), "") if str(record.object_id).isdigit() else ""
        record.related_labels = related
    return rows


def related_labels(records, *, in_hand=()) -> dict:
    """The names of the objects a page of change records points to by key (a unit, a village, a cadre), one
    query per kind of object: {(model, "3"): "成都大学"}. Users are named by their display name; a region by its
    township and name; personal data is never read here (households are named by number and head only).
    Objects `in_hand` (already read by the caller) are named as they are, without reading them again."""
    from bangfu.audit.models import related_field

    labels: dict = {(type(obj), str(obj.pk)): _label(obj) for obj in in_hand}
    wanted: dict[type, set[str]] = {}
    for record in records:
        if not hasattr(record, "changed_fields"):  # a reveal or a security event points to nothing by key
            continue
        for key, old, new in record.changed_fields:
            field = related_field(record.object_type, key)
            if field is None:
                continue
            for value in (old, new):
                if value not in (None, "") and (field.related_model, str(value)) not in labels:
                    wanted.setdefault(field.related_model, set()).add(str(value))
    for model, keys in wanted.items():
        objects = model._default_manager.filter(pk__in=keys)
        if model._meta.model_name == "household":
            objects = objects.only("number", "head_name")
        for obj in objects:
            labels[(model, str(obj.pk))] = _label(obj)
    return labels


def _label(obj) -> str:
    name = obj._meta.model_name
    if name == "user":
        return obj.display_name
    if name == "region":
        return obj.name
    if name == "household":
        return f"{obj.number} {obj.head_name}".strip()
    return str(obj)


def object_history(instance, *, also=(), limit: int = 100) -> list:
    """Every recorded change of one object (a ledger entry, a cadre, a task), and of the objects `also` that belong
    to it (a unit's village links, a cadre's leave requests), newest first, with the objects they point to named:
    the history a record's own page shows. The caller has already read the object (and `also`) through its
    jurisdiction door; the history is theirs, nothing wider."""
    from django.db.models import Q

    from bangfu.audit.models import ChangeRecord

    wanted = Q(object_type=instance._meta.model_name, object_id=str(instance.pk))
    for model, objects in _by_model(also).items():
        wanted |= Q(object_type=model._meta.model_name, object_id__in=[str(obj.pk) for obj in objects])
    records = list(ChangeRecord.objects.filter(wanted).select_related("actor").order_by("-at", "-id")[:limit])
    # what the objects point to and the caller already read with them (select_related) is named without a query
    in_hand = [field.get_cached_value(obj) for obj in (instance, *also) for field in obj._meta.concrete_fields
               if field.many_to_one and field.is_cached(obj)]
    related = related_labels(records, in_hand=[obj for obj in in_hand if obj is not None])
    for record in records:
        record.related_labels = related
    return records


def _by_model(objects) -> dict:
    grouped: dict = {}
    for obj in objects:
        grouped.setdefault(type(obj), []).append(obj)
    return grouped

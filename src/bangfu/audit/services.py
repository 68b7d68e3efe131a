"""The one way to write history. Services call these inside their own transaction."""

import datetime as dt
import functools
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import translation

from bangfu.audit.context import current_request_id
from bangfu.audit.models import ChangeRecord, RevealRecord


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


# Kept in clear in its own table, but never copied into history next to anything that narrows the ID number.
NEVER_SNAPSHOT = frozenset({"id", "created_at", "updated_at", "birth_date", "password", "version"})


def snapshot(instance: models.Model, *, exclude: frozenset[str] = frozenset()) -> dict:
    """The audited fields of an object, safe to keep in history.

    Ciphertexts are never copied. A blind index (X_digest) becomes a short fingerprint under the name X, so a
    changed ID number or phone shows up as a change even when its masked form looks the same.
    """
    return snapshot_values(type(instance), lambda attname: getattr(instance, attname), exclude=exclude)


def snapshot_values(model: type[models.Model], value_of, *, exclude: frozenset[str] = frozenset()) -> dict:
    """`snapshot` of an object given as `value_of(attname)`: bulk writers (the import) build history from the rows
    they insert without making a model instance per row, and keep the same shape."""
    data = {}
    for attname, name, kind, places in _snapshot_fields(model, exclude):
        value = value_of(attname)
        if not kind:  # most fields: taken as they are (bulk writers call this once per row written)
            data[name] = value if type(value) in _PLAIN else _jsonable(value)
        elif kind == "digest":
            data[name] = f"指纹 {value[:8]}" if value else ""
        else:
            # A decimal as the database keeps it: 12000 typed and 12000.00 stored are one amount, not a change.
            data[name] = _jsonable(Decimal(value).quantize(places)) if value is not None else None
    return data


_PLAIN = (str, int, bool, type(None))


@functools.lru_cache(maxsize=64)
def _snapshot_fields(model: type[models.Model], exclude: frozenset[str]) -> tuple:
    fields = []
    for field in model._meta.concrete_fields:
        name = field.attname
        if name in exclude or name in NEVER_SNAPSHOT or name.endswith("_cipher"):
            continue
        if name.endswith("_digest"):
            fields.append((name, name.removesuffix("_digest"), "digest", None))
        elif isinstance(field, models.DecimalField):
            fields.append((name, field.name, "decimal", Decimal(1).scaleb(-field.decimal_places)))
        else:
            fields.append((name, field.name, "", None))
    return tuple(fields)


def _label(instance: models.Model) -> str:
    """The object as history keeps it: in the site's language, whatever the writer's (a member is 张三（户主）)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(instance)[:200]


def change_record(*, actor, action: str, instance: models.Model, before: dict | None, after: dict | None,
                  household_id: int | None = None, region_code: str = "", reason: str = "") -> ChangeRecord | None:
    """Append one change record; an update that changed nothing writes nothing."""
    if action == ChangeRecord.Action.UPDATE and before == after:
        return None
    return ChangeRecord.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=instance._meta.model_name,
        object_id=str(instance.pk),
        object_label=_label(instance),
        household_id=household_id,
        region_code=region_code,
        before=before,
        after=after,
        request_id=current_request_id(),
        reason=reason,
    )


def reveal_record(*, actor, field: str, instance: models.Model, household_id: int | None,
                  region_code: str = "", what: str = "", filters: str = "", rows: int | None = None) -> RevealRecord:
    """Log that `actor` saw or exported unmasked personal data, or released a list of named data (an export, a
    document or an API answer carrying names with health, disability, income or case details): `what` list,
    under which `filters`, how many `rows` (set later by `release_rows` when a job writes the file)."""
    from bangfu.core.identifiers import contains_identifier, redact_identifiers

    filters = str(filters)
    if contains_identifier(filters):  # an ID number or phone searched for is never stored in clear
        filters = redact_identifiers(filters)
    return RevealRecord.objects.create(
        actor=actor, field=field, object_type=instance._meta.model_name, object_id=str(instance.pk),
        household_id=household_id, region_code=region_code, request_id=current_request_id(),
        what=str(what)[:100], filters=filters[:300], rows=rows,
    )


def release_rows(*, instance: models.Model, rows: int) -> None:
    """The number of rows the logged export job `instance` wrote (its record was made when it was queued)."""
    RevealRecord.objects.filter(object_type=instance._meta.model_name, object_id=str(instance.pk),
                                rows__isnull=True).update(rows=rows)


def security_event_record(*, kind: str, actor=None, username: str = "", address: str = "", detail: str = "",
                          region_code: str | None = None):
    """Record a security event. Callers write it outside the transaction of the write they refuse (which rolls
    back), so the event stays.

    A username typed at login is stored only if it holds nothing like an ID number or phone (people do type
    their ID number as a username)."""
    from bangfu.audit.models import SecurityEvent
    from bangfu.core.identifiers import redact_identifiers

    if region_code is None:
        region_code = (actor.region_id or "") if actor is not None else ""
    return SecurityEvent.objects.create(
        kind=kind, actor=actor, username=redact_identifiers(username)[:150], address=address[:45],
        region_code=region_code, detail=redact_identifiers(detail)[:200], request_id=current_request_id())

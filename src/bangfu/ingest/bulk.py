"""Inserting many rows at once, for the import's commit.

Django's bulk_create builds and prepares a model instance per row; at 100,000 members with their history that
is most of an import's time. This inserts plain rows with `executemany`, converting each value as the field's
own `get_db_prep_save` does where the database needs it (decimals, dates, JSON), and filling defaults and
auto_now columns as the model declares them. It runs inside the caller's transaction; what it writes is what the
model would have written.
"""

import datetime as dt

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

BATCH = 2000
_NEEDS_PREP = (models.DecimalField, models.DateField, models.DateTimeField, models.JSONField)
_CALLED = object()  # marks a column whose default is called per row


def _converter(field: models.Field, conn):
    """The field's get_db_prep_save for one non-null value, with the shortcuts that give the same result for the
    values the import passes (JSON dicts and lists, plain dates): per value, the field's generic path costs more
    than the database write."""
    if isinstance(field, models.JSONField):
        adapt, encoder = conn.ops.adapt_json_value, field.encoder

        def json_value(value):
            return adapt(value, encoder) if type(value) in (dict, list) else field.get_db_prep_save(value, conn)

        return json_value
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        adapt = conn.ops.adapt_datefield_value

        def date_value(value):
            return adapt(value) if type(value) is dt.date else field.get_db_prep_save(value, conn)

        return date_value
    return lambda value: field.get_db_prep_save(value, conn)


def bulk_insert(model: type[models.Model], rows: list[dict], *, return_rows: bool = True) -> list[dict]:
    """Insert `rows` (attname -> value); a column a row leaves out takes the field's default. Returns the rows
    as written (every column, before conversion for the database), for the history records; with
    return_rows=False (the history records themselves), nothing."""
    if not rows:
        return []
    written = []
    conn = connections[DEFAULT_DB_ALIAS]  # bound once: the proxy's attribute lookups cost per value
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    names, defaults, called, converted = [], [], [], []
    for index, field in enumerate(fields):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        elif field.has_default() and callable(field.default):
            default = _CALLED
            called.append((index, field))
        else:
            default = field.get_default()  # the declared default, or "" / None
        names.append(field.attname)
        defaults.append(default)
        if isinstance(field, _NEEDS_PREP):
            convert = _converter(field, conn)
            prepared = convert(default) if default is not None and default is not _CALLED else None
            converted.append((index, convert, default, prepared))
    pairs = list(zip(names, defaults, strict=True))
    quote = conn.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with conn.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            params = []
            for row in rows[start:start + BATCH]:
                get = row.get
                values = [get(name, default) for name, default in pairs]
                for index, field in called:
                    if values[index] is _CALLED:
                        values[index] = field.get_default()
                if return_rows:
                    written.append(dict(zip(names, values, strict=True)))
                for index, convert, default, prepared in converted:
                    value = values[index]
                    if value is default:  # the declared default (or this write's timestamp): prepared once
                        values[index] = prepared
                    elif value is not None:
                        values[index] = convert(value)
                params.append(values)
            cursor.executemany(sql, params)
    return written

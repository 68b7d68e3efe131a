"""Inserting many rows at once, for the import's commit.

Django's bulk_create builds and prepares a model instance per row; at 100,000 members with their history that
is most of an import's time. This inserts plain rows with `executemany`, converting each value with the field's
own `get_db_prep_save` where the database needs it (decimals, dates, JSON), and filling defaults and auto_now
columns as the model declares them. It runs inside the caller's transaction; what it writes is what the model
would have written.
"""

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

BATCH = 2000
_NEEDS_PREP = (models.DecimalField, models.DateField, models.DateTimeField, models.JSONField)


def bulk_insert(model: type[models.Model], rows: list[dict]) -> list[dict]:
    """Insert `rows` (attname -> value); a column a row leaves out takes the field's default. Returns the rows
    as written (every column, before conversion for the database), for the history records."""
    if not rows:
        return []
    written = []
    conn = connections[DEFAULT_DB_ALIAS]  # bound once: the proxy's attribute lookups cost per value
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    plan = []
    for field in fields:
        prep = field if isinstance(field, _NEEDS_PREP) else None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default, callable_default = now, False
        elif field.has_default() and callable(field.default):
            default, callable_default = None, True  # called per row below
        else:
            default, callable_default = field.get_default(), False  # the declared default, or "" / None
        prepared = prep.get_db_prep_save(default, conn) if prep is not None and default is not None else default
        plan.append((field.attname, default, prepared, prep, callable_default, field))
    quote = conn.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with conn.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            params = []
            for row in rows[start:start + BATCH]:
                values = []
                full = {}
                for name, default, prepared, prep, callable_default, field in plan:
                    if name in row:
                        value = row[name]
                        full[name] = value
                        if prep is not None and value is not None:
                            value = prep.get_db_prep_save(value, conn)
                    elif callable_default:
                        value = full[name] = field.get_default()
                        if prep is not None and value is not None:
                            value = prep.get_db_prep_save(value, conn)
                    else:
                        full[name] = default
                        value = prepared
                    values.append(value)
                params.append(values)
                written.append(full)
            cursor.executemany(sql, params)
    return written

"""list_page(): the one list-page flow (households, users, the audit log ...).

The first load renders the whole page; an htmx request (filter changed, next page) renders only the results
partial, plus, out of band (hx-swap-oob), what lies outside it and depends on the filter, such as the export
form's hidden fields and its sentence. So an export always takes the filter on screen, whatever was loaded first.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.shortcuts import render

from bangfu.web.filters import FilterSet


def list_page(request, *, filters: FilterSet, rows: Callable[[dict[str, Any]], QuerySet], template: str,
              partial: str, page_size: int, prepare: Callable[[list], list] | None = None,
              paginate: Callable[[dict[str, Any], int], Paginator] | None = None,
              context: dict[str, Any] | None = None, table=None):
    """Render a filtered, paginated list. `rows(values)` returns the queryset for the cleaned filter values
    (already scoped to the user by the caller's selector); `paginate(values, page_size)`, when given, is the
    list's own paginator (e.g. one that counts from kept figures); `prepare` decorates one page of rows; `table`
    (web.tables.Table), when given, is bound to the page's rows for the user as `table`."""
    form = filters.bind(request.GET)
    values = filters.values(form)
    paginator = paginate(values, page_size) if paginate else Paginator(rows(values), page_size)
    page = paginator.get_page(request.GET.get("page"))
    if prepare:
        page.object_list = prepare(page.object_list)
    query = filters.query_string(values)
    partial_only = bool(getattr(request, "htmx", False)) and not request.htmx.boosted
    data = {
        "form": form, "page": page, "filter_values": values, "filter_words": filters.describe(values),
        "filter_query": query, "filter_items": list(QueryDict(query).items()), "query_without_page": query, "oob": partial_only, **(context or {}),
    }
    if table is not None:
        data["table"] = table.bind(page.object_list, user=request.user)
    return render(request, partial if partial_only else template, data)


def first_and_count(rows: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows of a queue and how many there are in all: a queue's heading shows the real count,
    not the rows shown. The first rows' keys and the count come in one query over the queue's own filter alone
    (a window count), then only those rows with what they show (select_related): counting and sorting the whole
    queue joined with its households took 0.7 s at a million people, the bare keys a few milliseconds."""
    from django.db.models import Count, Window

    first = list(rows.annotate(queue_total=Window(Count("pk"))).values_list("pk", "queue_total")[:limit])
    if not first:
        return [], 0
    by_key = {row.pk: row for row in rows.filter(pk__in=[key for key, _ in first])}
    return [by_key[key] for key, _ in first if key in by_key], first[0][1]


@dataclass
class QueueGroup:
    """One group of a queue: its real count, the first few shown, and the list that shows them all."""

    key: str
    count: int
    shown: list
    url: str

    @property
    def cut(self) -> bool:
        return self.count > len(self.shown)

"""Paging that does not count the whole registry on every page.

Django's Paginator counts every matching row and then skips `OFFSET` rows: both grow with the registry (page 5,000
of the county's list counted 303,032 households and stepped over 250,000 of them). Two replacements, each a
Paginator so templates and `list_page()` treat them alike:

- `KeptCountPaginator`: the total comes from kept figures (e.g. village summaries), given as counts per leading
  ordering key (e.g. per village, in list order). A page is found by walking those counts to the group it
  starts in and reading from that group on, so the database skips at most one group's rows, whatever the page.
- `CappedPaginator`: for filters the kept figures cannot answer (a search), counts at most `cap` rows; beyond
  that the page says "more than N" and asks for a narrower filter.

Both offer `rows(offset, limit)` for offset/limit callers (the JSON API).
"""

from collections.abc import Callable, Sequence
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

# A search counts at most this many rows: 20 pages of 50, more than anyone pages through; past it the pager asks for a
# narrower search. The cost of a count grows with the cap (a common surname matches thousands of households).
DEFAULT_COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts at most `cap` matching rows (`count_capped` tells whether there are more)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, cap: int = DEFAULT_COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _capped_count(self) -> int:
        # Neither the page's ordering nor its joins change how many rows there are: without them PostgreSQL stops
        # after cap + 1 matches instead of sorting every match first.
        return self.object_list.order_by().select_related(None)[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def count_capped(self) -> bool:
        return self._capped_count > self.cap

    def rows(self, offset: int, limit: int):
        return self.object_list[offset:offset + limit]


class KeptCountPaginator(Paginator):
    """Total from kept per-group counts; pages found by seeking to their group.

    `groups` is [(key, rows in that group)] in the queryset's leading ordering, and `from_group(key)` a filter
    keeping the rows of that group and every later one (e.g. `Q(village_id__gte=key)`).
    """

    count_capped = False

    def __init__(self, object_list: QuerySet, per_page: int, *, groups: Sequence[tuple[str, int]],
                 from_group: Callable[[str], Q], **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.groups = [(key, n) for key, n in groups if n]
        self.from_group = from_group

    @cached_property
    def count(self) -> int:
        return sum(n for _key, n in self.groups)

    def rows(self, offset: int, limit: int):
        if offset == 0 or not self.groups:
            return self.object_list[:limit]
        before = 0
        for key, n in self.groups:
            if offset < before + n:
                start = offset - before
                return self.object_list.filter(self.from_group(key))[start:start + limit]
            before += n
        return self.object_list.none()

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top - bottom), number, self)

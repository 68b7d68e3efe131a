"""Every list page exports to .xlsx through one mechanism: a list declares its columns and names its own filter
form and rows (in `<app>/listexports.py`, found like admin.py); this module does the rest.

The file opens with the list's title, a row naming its filters (筛选条件：乡镇=漳扎镇；户类型=脱贫户；…), and who
exported it when; then the column headings and the rows the list shows, under the exporter's jurisdiction (the
list's own scoped selector, re-run when the job runs). Every value is written as text unless its column is a
number, so ID numbers keep their digits and nothing a user typed can become a formula. ID numbers and phones are
masked unless the exporter asked for and may see the full values. An export of a list holding personal data (an ID
number or phone column), or declared `named` (names with health, disability, income or case details: the warnings,
the cases, the change history), is a logged release (敏感信息查看与导出: who, when, which list, which filter, how many
rows), like the household ledger's.

A list may also be a set of tables of figures rather than rows of a query (the statistics tables: place ×
indicator, unit × indicator, month × indicator): it declares `sheets`, and each table is written on a sheet of its
own under the same three lines. Such a list holds no names, but may still declare `release` so that each export
of it is logged as a release of that kind (who took which county's or township's figures, when).

A list of personal data, or one that may grow large, exports as a background job (progress, heartbeat, its file
written under a temporary name and readable by its owner only: bangfu.jobs); a small list of no personal data (an
assistance ledger, the user list) may declare `inline=True` and download at once.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.identifiers import contains_identifier, redact_identifiers
from bangfu.core.text import printable
from bangfu.jobs.services import job_kind, job_partial_path, job_start
from bangfu.web.forms import Form

KIND = "list_export"
CHUNK = 2000
HEADING_ROWS = 3  # title, filters, who and when: the column headings are on row 4


@dataclass(frozen=True)
class Column:
    """One column of an exported list: its heading, the value for one row, and, for an ID number or phone, the
    full value an exporter who may reveal it gets instead of the masked one."""

    title: Any
    value: Callable[[Any], Any]
    width: int = 12
    number: bool = False  # write ints and amounts as numbers; everything else is text
    full: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Sheet:
    """One table of a list export made of tables (`ListExport.sheets`): its tab's name, the title on its first
    line, its columns and its rows, in order (figures already counted: a few dozen rows, not a query)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list


@dataclass(frozen=True, kw_only=True)
class ListExport:
    """A list page's export. `form(user, data)` binds the list's own filter form to the page's query; `rows(user,
    values)` is the list's own scoped queryset for the form's cleaned values; `prepare` adds what the columns read
    (select_related, annotations) to a chunk of rows, `prepare_for` the same when it depends on the exporter.

    A list made of tables declares `sheets(user, values)` instead of `rows` and `columns`: its tables, each
    computed under the exporter's jurisdiction by the same function the page shows them with."""

    key: str
    title: Any
    form: Callable[[Any, dict], forms.Form]
    rows: Callable[[Any, dict], QuerySet] | None = None
    columns: tuple[Column, ...] = ()
    sheets: Callable[[Any, dict], list[Sheet]] | None = None
    allowed: Callable[[Any], bool]
    prepare: Callable[[QuerySet], QuerySet] | None = None
    # like `prepare`, for what the columns read that depends on who exports (counts only some may see):
    # (actor, rows) -> rows
    prepare_for: Callable[[Any, QuerySet], Any] | None = None
    labels: dict[str, Any] = field(default_factory=dict)  # for filter fields the page shows without a label
    words: dict[str, Callable[[Any], str]] = field(default_factory=dict)  # a value that needs words (a region code)
    may_reveal: Callable[[Any], bool] | None = None
    inline: bool = False
    # The list carries people's names with health, disability, income or case details: each export is logged.
    named: bool = False
    # Every export of this list is logged as this kind of release although it holds no names (the statistics
    # tables: "export_figures"); audit.RevealRecord.FIELD_LABELS names it.
    release: str = ""

    @property
    def personal(self) -> bool:
        return any(c.full for c in self.columns)

    @property
    def logged(self) -> bool:
        """Every export of this list is a logged release (personal columns, named data, or a declared release)."""
        return self.personal or self.named or bool(self.release)

    def release_field(self, full: bool) -> str:
        if full:
            return "export_full"
        if self.personal:
            return "export_masked"
        return "export_named" if self.named else self.release


LIST_EXPORTS: dict[str, ListExport] = {}


def list_export(export: ListExport) -> ListExport:
    """Register a list's export (called at import time of `<app>/listexports.py`)."""
    LIST_EXPORTS[export.key] = export
    return export


def list_export_get(key: str) -> ListExport | None:
    from django.utils.module_loading import autodiscover_modules

    if key not in LIST_EXPORTS:
        autodiscover_modules("listexports")
    return LIST_EXPORTS.get(key)


class NoFilters(Form):
    """The filter form of a list that has none (its export's filter row says 全部)."""


def no_filters(user, data) -> forms.Form:
    return NoFilters(data)


def filter_set_form(filters):
    """`form` for a list whose filters are a web.filters.FilterSet."""
    return lambda user, data: filters.bind(data)


# --- the filters, in words --------------------------------------------------------------------------------


def form_data(export: ListExport, user, query) -> dict[str, str]:
    """The part of a request's query that is the list's filter (no page number, no CSRF token)."""
    names = set(export.form(user, {}).fields)
    return {name: query.get(name) for name in names if query.get(name) not in (None, "")}


def form_values(form: forms.Form) -> dict[str, Any]:
    """The cleaned values; a parameter that does not parse, or is not given, takes the field's empty value, as the
    list pages do (web.filters.FilterSet.values)."""
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    values = {}
    for name, form_field in form.fields.items():
        if name in cleaned and name not in form.errors:
            values[name] = cleaned[name]
        elif isinstance(form_field, forms.BooleanField):
            values[name] = False
        else:
            try:
                values[name] = form_field.to_python(None)  # the field's empty value ("" for text, None for a date)
            except forms.ValidationError:
                values[name] = None
    return values


def filter_words(export: ListExport, form: forms.Form, values: dict[str, Any]) -> list[str]:
    """Each chosen filter as 名称=值, in the form's order (what the page shows)."""
    words = []
    for name, form_field in form.fields.items():
        value = values.get(name)
        if value in (None, "", False, [], ()):
            continue
        label = export.labels.get(name) or form_field.label or name
        if name in export.words:
            text = export.words[name](value)
        elif isinstance(form_field, forms.BooleanField):
            text = _("是")
        elif isinstance(form_field, forms.ModelChoiceField):
            text = str(value)
        elif hasattr(form_field, "choices"):
            text = str({str(k): v for k, v in form_field.choices}.get(str(value), value))
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = str(value)
        words.append(f"{label}={text}")
    # An ID number or phone searched for never lands in a file.
    return [redact_identifiers(word) if contains_identifier(word) else word for word in words]


def filter_row(words: list[str]) -> str:
    return _("筛选条件：%(words)s") % {"words": _("；").join(words) if words else _("全部")}


def region_words(code: str) -> str:
    """A region code as people name it (双河镇团结村)."""
    from bangfu.regions.models import Region

    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None:
        return code
    if region.level == "village" and region.parent_id:
        return f"{region.parent.name}{region.short_name}"
    return region.name


# --- the page's button --------------------------------------------------------------------------------------


def list_export_context(request, key: str, query=None) -> dict:
    """What a list page's template needs for its 导出 Excel button (web/_list_export.html): nothing when the user
    may not export the list. `query`: the filter the page settled on, where it is not the request's own query (the
    statistics page names its place and period even when the address leaves them out)."""
    export = list_export_get(key)
    if export is None or not export.allowed(request.user):
        return {}
    data = form_data(export, request.user, request.GET if query is None else query)
    form = export.form(request.user, data)
    words = filter_words(export, form, form_values(form))
    return {"list_export": {
        "key": key, "title": export.title, "items": sorted(data.items()), "words": words, "inline": export.inline,
        "can_reveal": bool(export.personal and export.may_reveal and export.may_reveal(request.user)),
        "personal": export.personal, "logged": export.logged, "named": export.personal or export.named}}


# --- starting and running ------------------------------------------------------------------------------------


def _may_reveal(export: ListExport, actor) -> bool:
    return bool(export.personal and export.may_reveal and export.may_reveal(actor))


def _stored(data: dict) -> dict:
    """The filter as it may be written to the job's row: search text that could be an ID number or phone is kept
    encrypted (as the household export keeps it), never in clear."""
    from bangfu.core.crypto import field_cipher

    return {name: {"cipher": field_cipher().encrypt("search", value)} if contains_identifier(str(value)) else value
            for name, value in data.items()}


def _loaded(data: dict) -> dict:
    from bangfu.core.crypto import field_cipher

    return {name: field_cipher().decrypt("search", value["cipher"]) if isinstance(value, dict) else value
            for name, value in data.items()}


def list_export_title(export: ListExport, *, actor, words: list[str], full: bool) -> str:
    kind = _("含完整证件号码") if full else (_("脱敏") if export.personal else "")
    parts = [str(export.title), _("、").join(words) if words else actor.place_label, kind,
             f"{timezone.localtime():%Y-%m-%d %H:%M}"]
    return " · ".join(p for p in parts if p)[:200]


def list_export_start(*, actor, key: str, data: dict, full: bool = False):
    """Queue the export of the list `key` as the actor sees it through the filter `data`. Logged as an export when
    the list holds personal data."""
    from bangfu.audit.services import reveal_record

    export = list_export_get(key)
    if export is None:
        raise PermissionDenied(_("没有这个列表"))
    if not export.allowed(actor):
        raise PermissionDenied(_("您的角色不能导出该列表"))
    if full and not _may_reveal(export, actor):
        raise PermissionDenied(_("您的角色不能导出完整的证件号码和电话"))
    form = export.form(actor, data)
    words = filter_words(export, form, form_values(form))
    job = job_start(actor=actor, kind=KIND, title=list_export_title(export, actor=actor, words=words, full=full),
                    params={"list": key, "data": _stored(data), "include_personal": full})
    if export.logged:
        reveal_record(actor=actor, field=export.release_field(full), instance=job, household_id=None,
                      region_code=actor.region_id or "", what=str(export.title), filters=filter_row(words))
    return job


@job_kind(KIND)
def list_export_run(job, progress) -> tuple[str, Path]:
    actor = job.requested_by
    export = list_export_get(job.params["list"])
    if export is None or not export.allowed(actor):
        raise PermissionDenied(_("发起人已无导出该列表的权限"))
    full = bool(job.params.get("include_personal")) and _may_reveal(export, actor)
    path = job_partial_path(job, ".xlsx")
    rows = list_export_write(path, export, actor=actor, data=_loaded(job.params["data"]), full=full,
                             progress=progress)
    if export.logged:
        from bangfu.audit.services import release_rows

        release_rows(instance=job, rows=rows)
    return f"{export.title}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx", path


def list_export_inline(*, actor, key: str, data: dict) -> tuple[str, bytes]:
    """A small list of no personal data, written while the page waits: (file name, content)."""
    export = list_export_get(key)
    if export is None or not export.allowed(actor):
        raise PermissionDenied(_("您的角色不能导出该列表"))
    buffer = io.BytesIO()
    rows = list_export_write(buffer, export, actor=actor, data=data, full=False)
    if export.logged:  # an inline list should hold no named data; if one does, its download is logged all the same
        _release_now(export, actor=actor, data=data, full=False, rows=rows)
    return f"{export.title}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx", buffer.getvalue()


def list_export_file(*, actor, key: str, path: Path, data: dict, full: bool = False) -> int:
    """Write the list to `path` now (the command line), under the actor's rights; logged like an export from the
    page when the list holds personal data. Returns the number of rows."""
    export = list_export_get(key)
    if export is None or not export.allowed(actor):
        raise PermissionDenied(_("您的角色不能导出该列表"))
    if full and not _may_reveal(export, actor):
        raise PermissionDenied(_("您的角色不能导出完整的证件号码和电话"))
    record = _release_now(export, actor=actor, data=data, full=full, rows=None) if export.logged else None
    rows = list_export_write(path, export, actor=actor, data=data, full=full)
    if record is not None:
        record.rows = rows
        record.save(update_fields=["rows"])
    return rows


def _release_now(export: ListExport, *, actor, data: dict, full: bool, rows: int | None):
    """Log a release written while the caller waits (the command line, an inline download)."""
    from bangfu.audit.services import reveal_record
    from bangfu.regions.models import Region

    region = Region.objects.filter(code=data.get("region") or actor.region_id or "").first()
    form = export.form(actor, data)
    return reveal_record(actor=actor, field=export.release_field(full), instance=region or actor, household_id=None,
                         region_code=region.code if region else "", what=str(export.title),
                         filters=filter_row(filter_words(export, form, form_values(form))), rows=rows)


def heading_lines(*, title, words: list[str], actor, full: bool, personal: bool) -> list[str]:
    """The three lines above a list's column headings: what, which filters, who exported it when."""
    who = _("导出时间：%(time)s；导出人：%(name)s（%(username)s，%(place)s）") % {
        "time": f"{timezone.localtime():%Y-%m-%d %H:%M:%S}", "name": actor.display_name,
        "username": actor.username, "place": actor.place_label}
    if personal:
        who += _("；证件号码和电话：%(kind)s") % {"kind": _("完整（已记录）") if full else _("脱敏")}
    return [str(title), filter_row(words), who]


def _write(sheet, row: int, col: int, value, column: Column, formats) -> None:
    if column.number and isinstance(value, bool):
        sheet.write_string(row, col, _("是") if value else _("否"))
    elif column.number and isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), formats["money"] if isinstance(value, Decimal) else None)
    elif isinstance(value, dt.datetime):
        sheet.write_string(row, col, f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}")
    elif isinstance(value, dt.date):
        sheet.write_string(row, col, value.isoformat())
    elif isinstance(value, bool):
        sheet.write_string(row, col, _("是") if value else _("否"))
    else:
        sheet.write_string(row, col, printable(value))  # text, never a formula


def _workbook(target):
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    options.update({"in_memory": True} if isinstance(target, io.BytesIO) else {"constant_memory": True})
    workbook = xlsxwriter.Workbook(target if isinstance(target, io.BytesIO) else str(target), options)
    formats = {"title": workbook.add_format({"bold": True, "font_size": 14}),
               "header": workbook.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1}),
               "money": workbook.add_format({"num_format": "#,##0.00"})}
    return workbook, formats


def _sheet(workbook, formats, *, name: str, lines: list[str], columns: tuple[Column, ...]):
    """A sheet with the three lines above the column headings, then the headings (row 4)."""
    sheet = workbook.add_worksheet(name[:31])
    sheet.write_string(0, 0, lines[0], formats["title"])
    for number, line in enumerate(lines[1:], start=1):
        sheet.write_string(number, 0, line)
    for col, column in enumerate(columns):
        sheet.write_string(HEADING_ROWS, col, str(column.title), formats["header"])
        sheet.set_column(col, col, column.width)
    return sheet


def list_export_write(target, export: ListExport, *, actor, data: dict, full: bool, progress=None) -> int:
    """Write the list to `target` (a path, or a buffer for an inline export). Returns the number of rows.

    The rows' ids are read first, in the list's order; then each chunk in a query of its own with what the
    columns need, so the queries do not grow with the rows and no read stays open while progress is written."""
    form = export.form(actor, data)
    values = form_values(form)
    if export.sheets is not None:
        return _sheets_write(target, export, actor=actor, form=form, values=values, full=full)
    rows = export.rows(actor, values)
    ids = list(rows.values_list("pk", flat=True))
    if progress:
        progress.total(len(ids))
    workbook, formats = _workbook(target)
    lines = heading_lines(title=export.title, words=filter_words(export, form, values), actor=actor, full=full,
                          personal=export.personal)
    sheet = _sheet(workbook, formats, name=str(export.title), lines=lines, columns=export.columns)
    sheet.freeze_panes(HEADING_ROWS + 1, 0)
    model = rows.model
    line = HEADING_ROWS + 1
    for start in range(0, len(ids), CHUNK):
        chunk_ids = ids[start:start + CHUNK]
        query = model._default_manager.filter(pk__in=chunk_ids)
        if export.prepare_for:
            query = export.prepare_for(actor, query)
        elif export.prepare:
            query = export.prepare(query)
        found = {obj.pk: obj for obj in query}
        for pk in chunk_ids:
            obj = found.get(pk)
            if obj is None:  # removed meanwhile
                continue
            for col, column in enumerate(export.columns):
                value = column.full(obj) if full and column.full else column.value(obj)
                _write(sheet, line, col, value, column, formats)
            line += 1
        if progress:
            progress.advance(min(start + CHUNK, len(ids)))
    workbook.close()
    return line - HEADING_ROWS - 1


def _sheets_write(target, export: ListExport, *, actor, form, values: dict, full: bool) -> int:
    """A list made of tables: each on its own sheet, under the same three lines (its own title first), laid out
    to print on A4 across. The tables are computed before the file is opened, so a refusal writes nothing."""
    tables = export.sheets(actor, values)
    words = filter_words(export, form, values)
    workbook, formats = _workbook(target)
    written = 0
    for table in tables:
        lines = heading_lines(title=table.title, words=words, actor=actor, full=full, personal=False)
        sheet = _sheet(workbook, formats, name=table.name, lines=lines, columns=table.columns)
        for line, row in enumerate(table.rows, start=HEADING_ROWS + 1):
            for col, column in enumerate(table.columns):
                value = column.value(row)
                if value is not None:  # no figure (a unit without a target): an empty cell, not empty text
                    _write(sheet, line, col, value, column, formats)
        written += len(table.rows)
        sheet.freeze_panes(HEADING_ROWS + 1, 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
    workbook.close()
    return written

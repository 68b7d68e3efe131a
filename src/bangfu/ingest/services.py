"""Writes of the import: committing a planned household import, remembering a column mapping."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.audit.context import current_request_id
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot, snapshot_values
from bangfu.core.crypto import field_cipher
from bangfu.core.db import analyze_after_commit, bulk_work
from bangfu.core.masking import mask_phone
from bangfu.ingest.bulk import bulk_insert
from bangfu.ingest.households import ImportPlan
from bangfu.ingest.models import ImportMapping, ImportRun
from bangfu.registry import choices as c
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.search import sqlite_name_index_deferred
from bangfu.reports.summaries import village_summaries_deferred

BATCH = 1000
NAME_INDEX_DEFERRED = 500  # members inserted at once from which the name index takes them in one statement


def _history(actor, model, rows: list[dict], pks: list[int], labels: list[str], households: list[int],
             regions: list[str], reason: str, exclude=frozenset()) -> list[dict]:
    """The history records the single-record services write on create, as rows for a bulk insert."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    request_id = current_request_id()
    name = model._meta.model_name
    return [{"actor_id": actor_id, "action": ChangeRecord.Action.CREATE, "object_type": name, "object_id": str(pk),
             "object_label": label[:200], "household_id": household_id, "region_code": region, "before": None,
             "after": snapshot_values(model, row.get, exclude=exclude), "request_id": request_id, "reason": reason}
            for row, pk, label, household_id, region in zip(rows, pks, labels, households, regions, strict=True)]


def _last_pk(model) -> int:
    """The highest pk before a bulk insert: the rows it inserts are read back above it."""
    meta, quote = model._meta, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({quote(meta.pk.column)}) FROM {quote(meta.db_table)}")
        return cursor.fetchone()[0] or 0


def _pks(model, keys: tuple[str, ...], wanted: list, last: int) -> dict:
    """The pk of each inserted row, by the values of its key columns (unique among the rows inserted), read back
    in one range scan above `last`; rows another transaction inserted meanwhile are not asked for. Any row not
    found there (ids only grow, so none should be) is looked up by its key."""
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(k).column) for k in keys)
    pk = quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, {pk} FROM {quote(meta.db_table)} WHERE {pk} > %s", [last])
        rows = cursor.fetchall()
    found = {r[0]: r[1] for r in rows} if len(keys) == 1 else {r[:-1]: r[-1] for r in rows}
    for key in wanted:
        if key not in found:
            where = dict(zip(keys, key if len(keys) > 1 else (key,), strict=True))
            found[key] = model.objects.values_list("pk", flat=True).get(**where)
    return found


def _member_rows(plan_h, household_id: int, cipher) -> list[dict]:
    rows = []
    for m in plan_h.members:
        if m.existing is not None:
            continue
        rows.append({**{k: v for k, v in m.data.items() if k != "id_type"}, "household_id": household_id,
                     "id_type": m.id_type, "sex": m.sex, "birth_date": m.birth_date, "id_number_digest": m.digest,
                     "id_number_cipher": cipher.encrypt("id_number", m.id_number)})
    return rows


def _insert_members(actor, rows: list[dict], numbers: dict[int, str], regions: dict[int, str], reason: str) -> int:
    last = _last_pk(Member)
    if len(rows) >= NAME_INDEX_DEFERRED:
        with sqlite_name_index_deferred():
            written = bulk_insert(Member, rows)
    else:
        written = bulk_insert(Member, rows)
    pks = _pks(Member, ("id_number_digest",), [r["id_number_digest"] for r in written], last)
    relations = {value: str(label) for value, label in c.Relation.choices}  # translated once, not per member
    labels = [f"{r['name']}（{relations.get(r['relation'], r['relation'])}）" for r in written]
    bulk_insert(ChangeRecord, _history(actor, Member, written, [pks[r["id_number_digest"]] for r in written], labels,
                                       [r["household_id"] for r in written],
                                       [regions[r["household_id"]] for r in written], reason), return_rows=False)
    return len(written)


def _insert_incomes(actor, rows: list[dict], numbers: dict[int, str], regions: dict[int, str], reason: str) -> int:
    last = _last_pk(IncomeRecord)
    written = bulk_insert(IncomeRecord, rows)
    pks = _pks(IncomeRecord, ("household_id", "year"), [(r["household_id"], r["year"]) for r in written], last)
    bulk_insert(ChangeRecord, _history(
        actor, IncomeRecord, written, [pks[(r["household_id"], r["year"])] for r in written],
        [f"{numbers[r['household_id']]} {r['year']}" for r in written], [r["household_id"] for r in written],
        [regions[r["household_id"]] for r in written], reason), return_rows=False)
    return len(written)


def _insert_new(actor, plans: list, cipher, reason: str, counts: dict) -> list:
    """New households with their members and incomes, and one history record for each, in bulk."""
    rows = []
    for plan_h in plans:
        head = next((m for m in plan_h.members if m.is_head), None)
        row = {**plan_h.data, "number": plan_h.number, "village_id": plan_h.village.code,
               "head_name": head.name if head else ""}
        if plan_h.phone:
            row.update(phone_cipher=cipher.encrypt("phone", plan_h.phone),
                       phone_digest=cipher.blind_index("phone", plan_h.phone), phone_masked=mask_phone(plan_h.phone))
        rows.append(row)
    last = _last_pk(Household)
    written = bulk_insert(Household, rows)
    pks = _pks(Household, ("number",), [r["number"] for r in written], last)
    bulk_insert(ChangeRecord, _history(
        actor, Household, written, [pks[r["number"]] for r in written],
        [f"{r['number']} {r['head_name']}" for r in written], [pks[r["number"]] for r in written],
        [r["village_id"] for r in written], reason, exclude=frozenset({"head_name"})), return_rows=False)
    counts["households_created"] += len(written)
    numbers = {pks[r["number"]]: r["number"] for r in written}
    regions = {pks[r["number"]]: r["village_id"] for r in written}
    members, incomes = [], []
    for plan_h in plans:
        pk = pks[plan_h.number]
        members += _member_rows(plan_h, pk, cipher)
        if plan_h.income is not None:
            incomes.append({**plan_h.income, "household_id": pk})
    counts["members_created"] += _insert_members(actor, members, numbers, regions, reason)
    counts["incomes_written"] += _insert_incomes(actor, incomes, numbers, regions, reason)
    return written


def _insert_members_of_existing(actor, plan_h, cipher, reason: str, counts: dict) -> None:
    """New members (and a first income of the year) of a household already registered."""
    household = plan_h.existing
    numbers, regions = {household.pk: household.number}, {household.pk: household.village_id}
    rows = _member_rows(plan_h, household.pk, cipher)
    if rows:
        counts["members_created"] += _insert_members(actor, rows, numbers, regions, reason)
    if plan_h.income is not None and plan_h.income_existing is None and plan_h.income_changes:
        counts["incomes_written"] += _insert_incomes(actor, [{**plan_h.income, "household_id": household.pk}],
                                                     numbers, regions, reason)


def households_import_commit(*, actor, plan: ImportPlan, reason: str = "", progress=None) -> dict:
    """Write the plan's accepted households, members and incomes: all of them or, on any failure, nothing.

    New records are inserted in bulk with the same validation the plan ran (the registry's own rules), the same
    encryption and one history record per created object, as the single-record services write. Changes to
    records already registered go through the registry services (household_update, member_update,
    income_record_save), which keep their history. A record that changed between preview and commit (someone
    registered the same number meanwhile) fails the whole commit with a message; nothing is half-written."""
    if not actor.can("registry.edit"):
        raise PermissionDenied(_("您的角色没有此项操作权限"))
    with bulk_work():
        return _commit(actor, plan, reason, progress)


@transaction.atomic
@village_summaries_deferred()  # the registry services called per record note villages; each recounted once
def _commit(actor, plan: ImportPlan, reason: str, progress) -> dict:
    from bangfu.registry.services import household_update, income_record_save, member_update

    reason = (reason or _("导入 %(name)s") % {"name": plan.workbook.name})[:200]
    cipher = field_cipher()
    accepted = plan.accepted
    if progress:
        progress.total(len(accepted))
    counts = {"households_created": 0, "households_updated": 0, "members_created": 0, "members_updated": 0,
              "incomes_written": 0}
    try:
        with translation.override(settings.LANGUAGE_CODE):  # history labels in the site's language
            new_households = _insert_new(actor, [p for p in accepted if p.new], cipher, reason, counts)
            done = len(new_households)
            if progress:
                progress.advance(done)
            for plan_h in (p for p in accepted if not p.new):
                household = plan_h.existing
                _insert_members_of_existing(actor, plan_h, cipher, reason, counts)
                if plan_h.changes or plan_h.phone_changed:
                    household = household_update(actor=actor, household=household, data=dict(plan_h.changes),
                                                 phone=plan_h.phone if plan_h.phone_changed else None)
                    counts["households_updated"] += 1
                for m in plan_h.members:
                    if m.existing is not None and m.changes:
                        member_update(actor=actor, member=m.existing, data=dict(m.changes))
                        counts["members_updated"] += 1
                if any(m.existing is None and m.is_head for m in plan_h.members):
                    from bangfu.registry.services import _sync_head_name

                    _sync_head_name(household)
                if plan_h.income is not None and plan_h.income_existing is not None and plan_h.income_changes:
                    income_record_save(actor=actor, household=household, year=plan_h.income["year"],
                                       data=dict(plan_h.income_changes))
                    counts["incomes_written"] += 1
                done += 1
                if progress:
                    progress.advance(done)
    except IntegrityError as error:
        import logging

        logging.getLogger(__name__).warning("import commit refused: %s", error)
        raise ValidationError(_("导入期间有户编号或证件号码刚被他人登记：本次未写入任何数据，请重新预览后再提交")) from None
    _refresh_summaries(accepted)
    analyze_after_commit(Household, Member, IncomeRecord, rows=sum(counts.values()))
    return counts


def _refresh_summaries(plans) -> None:
    """The kept per-village figures follow the bulk write, inside its transaction (reports.summaries)."""
    from bangfu.reports.summaries import village_summaries_refresh

    villages = {p.village.code for p in plans if p.village is not None}
    villages |= {p.existing.village_id for p in plans if p.existing is not None}
    if villages:
        village_summaries_refresh(sorted(villages))


@transaction.atomic
def import_mapping_save(*, actor, kind: str, shape: str, mapping: dict[str, str]) -> ImportMapping:
    """Remember how the columns of a file of this shape map to fields, for the next file of the same shape. A
    household ledger's mapping is for who may edit the registry; a department file's (kind "feed-<kind>") for who
    may upload that kind."""
    from bangfu.monitoring.feeds import feed_kinds_for

    allowed = (kind.removeprefix("feed-") in feed_kinds_for(actor) if kind.startswith("feed-")
               else actor.can("registry.edit"))
    if not allowed:
        raise PermissionDenied(_("您的角色没有此项操作权限"))
    record, created = ImportMapping.objects.select_for_update().get_or_create(
        kind=kind, shape_digest=ImportMapping.digest(shape), defaults={"shape": shape, "mapping": mapping,
                                                                       "updated_by": actor})
    before = None if created else snapshot(record)
    if not created:
        record.mapping, record.updated_by = mapping, actor
        record.save(update_fields=["mapping", "updated_by", "updated_at"])
    change_record(actor=actor, action=ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE,
                  instance=record, before=before, after=snapshot(record))
    return record


# --- the page's flow: upload, preview, map, commit ------------------------------------------------------------

def upload_store(*, upload) -> tuple[str, str]:
    """Keep an uploaded spreadsheet owner-only under the data directory (it holds people's ID numbers), after
    checking its type and size. Returns its name as uploaded and where it lies."""
    import os
    import uuid
    from pathlib import Path

    from bangfu.ingest.reader import SUFFIXES

    name = Path(getattr(upload, "name", "") or "upload").name[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError({"file": _("不支持的文件类型“%(suffix)s”：请上传 .xlsx、.xls、.ods 或 .csv 文件") % {
            "suffix": suffix or _("无扩展名")}})
    if upload.size > settings.UPLOAD_MAX_BYTES:  # the upload middleware stops bigger bodies as they arrive
        raise ValidationError({"file": _("文件超过%(mb)sMB：请按乡镇拆分后分别导入") % {
            "mb": settings.UPLOAD_MAX_BYTES // 2**20}})
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds people's ID numbers
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name, str(path)


def import_run_start(*, actor, upload, year: int | None) -> ImportRun:
    """Keep an uploaded ledger (owner-only, under the data directory) and start its preview in the background."""
    if not actor.can("registry.edit"):
        raise PermissionDenied(_("您的角色不能导入农户台账"))
    name, path = upload_store(upload=upload)
    run = ImportRun.objects.create(kind="households", file_name=name, file_path=path, year=year,
                                   requested_by=actor)
    return _preview(actor, run)


def import_job_target(run) -> str:
    return f"import:{run.pk}"


def import_run_fail(run_id: int, *, message: str) -> int:
    """End an import whose preview or commit died with its worker as failed, with the reason (a commit writes
    all or nothing, so nothing of it was written)."""
    ended = 0
    for run in ImportRun.objects.filter(pk=run_id).exclude(status=ImportRun.Status.COMMITTED):
        run.status = ImportRun.Status.FAILED
        run.report = {**run.report, "error": message}
        run.save(update_fields=["status", "report"])
        ended += 1
    return ended


@transaction.atomic
def _preview(actor, run):
    """Start (again) the run's preview job: the household import's, or a department file's. One transaction, so
    the job is handed to the worker only once the run names it and says 已上传: outside one, a quick worker
    finished the preview before this save, which then set the run back to 已上传 for ever."""
    from bangfu.ingest.jobs import PREVIEW
    from bangfu.jobs.services import job_start

    kind = PREVIEW if run.kind == "households" else "feed_import_preview"
    job = job_start(actor=actor, kind=kind, title=_("导入预览：%(name)s") % {"name": run.file_name},
                    params={"run": run.pk}, target=import_job_target(run))
    run.job = job
    run.status = run.Status.UPLOADED
    run.save(update_fields=["job", "status"])
    return run


@transaction.atomic
def import_run_map(*, actor, run, mapping: dict[str, str]):
    """The user's choices for the file's unknown columns: remembered for this file shape, then previewed again."""
    if run.status == run.Status.COMMITTED:
        raise ValidationError(_("该文件已导入，不能再修改列对应"))
    run.mapping = {**run.mapping, **mapping}
    run.save(update_fields=["mapping"])
    shape = run.report.get("shape", "")
    if shape:
        import_mapping_save(actor=actor, kind=run.kind, shape=shape, mapping=run.mapping)
    return _preview(actor, run)


@transaction.atomic
def import_run_commit(*, actor, run):
    """Start writing the previewed file's valid households (re-checked against the registry as it is then)."""
    from bangfu.ingest.jobs import COMMIT
    from bangfu.jobs.services import job_start

    if not actor.can("registry.edit"):
        raise PermissionDenied(_("您的角色不能导入农户台账"))
    if run.status != run.Status.PREVIEWED:
        raise ValidationError(_("请等预览完成后再导入；已导入的文件不能重复提交"))
    job = job_start(actor=actor, kind=COMMIT, title=_("导入：%(name)s") % {"name": run.file_name},
                    params={"run": run.pk}, target=import_job_target(run))
    run.job = job
    run.save(update_fields=["job"])
    return run


def uploads_prune(*, older_than_hours: int) -> int:
    """Delete uploaded files never committed (they hold full ID numbers) once older than `older_than_hours`:
    ledgers and department files under var/imports/ (and var/feeds/staged/, where department files were kept
    before they became import runs). A file whose preview or
    commit is queued or running is left alone; an import whose file is removed is marked failed, its page asking
    for a new upload. Returns the number of files deleted."""
    import time
    from pathlib import Path

    from bangfu.jobs.models import Job

    cutoff = time.time() - older_than_hours * 3600
    busy = set(ImportRun.objects.filter(job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
               .values_list("file_path", flat=True))
    removed = 0
    for directory in (Path(settings.VAR_DIR) / "imports", Path(settings.VAR_DIR) / "feeds" / "staged"):
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            if not path.is_file() or str(path) in busy:
                continue
            try:
                if path.stat().st_mtime >= cutoff:
                    continue
                path.unlink()
            except FileNotFoundError:  # gone meanwhile (committed or decided)
                continue
            removed += 1
            for run in ImportRun.objects.filter(file_path=str(path)).exclude(status=ImportRun.Status.COMMITTED):
                run.status = ImportRun.Status.FAILED
                run.report = {**run.report, "expired": True}
                run.save(update_fields=["status", "report"])
    return removed

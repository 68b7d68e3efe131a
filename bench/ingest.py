"""The household import on a messy member workbook of N rows, against a bare python-calamine read of the same file.

Writes a one-sheet ledger as counties keep it (title rows, a two-row header with merged group cells, household
cells merged down member rows on every other household and left blank on the rest, village names spelt three
ways, months in six spellings, amounts with 元/万 and thousands separators, full-width digits, stray spaces,
小计 rows per village, blank rows, a hidden column, a few bad rows), then imports it through the project's path
(read, normalise, validate, write: `households_import_plan` + `households_import_commit`) into a fresh SQLite
database, and measures a bare python-calamine read (`to_python()` of the sheet) of the same file in the same run.

    python bench/ingest.py --rows 100000 [--errors-every N]

--errors-every N puts an error in every N-th member row (an ID number whose check digit is wrong: the member is
refused and, when it is the head, the whole household with it); then the preview's error report is written too
and counted in the project's time, as the import page's preview does. `--errors-every 1` is a ledger with an
error in every row. Above 5,000,000 cells the run raises the reader's limits for itself
(BANGFU_IMPORT_MAX_CELLS, BANGFU_IMPORT_MAX_UNPACKED_MB, BANGFU_IMPORT_READ_MEMORY_MB): a million-row ledger is
past the defaults on purpose.

Last line: ingest: ratio=R (project P s, floor F s), rows=N, peak_rss=M MB (the import's own peak: the comparison
read runs in a process of its own, Linux resets the high-water mark before the import, and it is taken before the
floor read)
"""

import argparse
import datetime as dt
import gc
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MONTHS = ("{y}{m:02d}", "{y}.{m}", "{y}年{m}月", "{y}/{m:02d}", "{y}-{m:02d}-01", "{y}{m:02d}15")
# By the sex the ID number gives (its sequence's parity): the import refuses a 之女 whose number says male.
RELATIONS = {True: ("配偶", "之子", "之父", "之孙子"), False: ("配偶", "之女", "之母", "之孙女")}
DIGIT_NAMES = "零一二三四五六七八九"  # names hold no digits (the import refuses 成员12 as the forms do)


def write_workbook(path: Path, rows: int, errors_every: int = 0) -> int:
    """The messy ledger; returns the number of member rows written."""
    import csv

    import xlsxwriter

    from bangfu.core.id_number import make_id_number

    source = Path(__file__).resolve().parent.parent / "src/bangfu/regions/data/jiuzhaigou.csv"
    regions = list(csv.DictReader(source.open(encoding="utf-8")))
    names = {r["code"]: r["name"] for r in regions}
    villages = [(r["name"], names[r["parent_code"]], r["code"]) for r in regions if r["level"] == "village"]
    rng = random.Random(9)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("监测对象台账")
    sheet.merge_range(0, 0, 0, 15, "九寨沟县2024年防返贫监测对象及家庭成员台账")
    sheet.write(1, 0, "填报单位：九寨沟县乡村振兴局（盖章）")
    top = ["户编号", "所在村", "户类型", "监测对象类别", "识别监测时间", "联系电话", "家庭成员", None, None, None,
           "收入情况（元）", None, None, None, None, "备注"]
    sub = [None, None, None, None, None, None, "姓名", "与户主关系", "证件号码", "民族", "工资性收入", "生产经营性收入",
           "财产性收入", "转移性收入", "生产经营性支出", None]
    for col, text in enumerate(top):
        if text and sub[col] is None:
            sheet.merge_range(2, col, 3, col, text)
    sheet.merge_range(2, 6, 2, 9, "家庭成员")
    sheet.merge_range(2, 10, 2, 14, "收入情况（元）")
    for col, text in enumerate(sub):
        if text:
            sheet.write_string(3, col, text)
    sheet.set_column(15, 15, None, None, {"hidden": True})
    r = 4
    written = 0
    household = 0
    sequence = 0
    while written < rows:
        household += 1
        village, township, code = villages[household % len(villages)]
        size = min(rng.choice((1, 2, 3, 3, 4, 5)), rows - written)
        short = village.replace("村民委员会", "").replace("居委会", "")
        spelled = (village, township + short, short)[household % 3]
        month = MONTHS[household % len(MONTHS)].format(y=2021 + household % 4, m=1 + household % 12)
        kind = ("脱贫户", "一般农户", " 一般农户 ")[household % 3]
        monitoring = ("", "", "", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户")[household % 6]
        household_cells = [f"{code}{household // len(villages) + 1:04d}", spelled, kind, monitoring, month if monitoring else "",
                           f"100{household:08d}"]
        income = [f"{rng.randint(2, 40) * 1000:,}元", rng.randint(0, 20000), "0", f"{rng.randint(1, 9) / 10}万",
                  rng.randint(0, 3000)]
        merged = household % 2 == 0 and size > 1
        for i in range(size):
            sequence += 1
            # (birth date, sequence) unique for 25,000,000 people: synthetic numbers never collide.
            born = dt.date(1940, 1, 1) + dt.timedelta(days=(sequence * 37) % 25000)
            sequence_code = (sequence // 25000 + 1) % 1000  # never x00 below 2.4M rows: no number ends in 000
            number = make_id_number("513225", born, sequence_code)
            if errors_every and (written + 1) % errors_every == 0:
                number = number[:-1] + ("1" if number[-1] != "1" else "2")  # a wrong check digit
            if sequence % 7 == 0:
                number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            kin = RELATIONS[sequence_code % 2 == 1]
            relation = "户主" if i == 0 else kin[(sequence + i) % len(kin)]
            spelled_number = "".join(DIGIT_NAMES[int(d)] for d in str(sequence))
            name = f"成员{spelled_number}" if sequence % 5 else f" 成 员{spelled_number} "
            member = [name, relation, number, ("汉族", "藏族", "羌族")[sequence % 3]]
            if written and sequence % 20_000 == 0:
                member[2] = float(number[:17])  # an ID number stored as a number: a row error, never a guess
            cells = household_cells if (i == 0 or not merged) and (i == 0 or household % 4 != 1) else [None] * 6
            for col, value in enumerate([*cells, *member, *(income if i == 0 else [None] * 5)]):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, col, value)
                else:
                    sheet.write_number(r, col, value)
            r += 1
            written += 1
        if merged:
            for col, value in enumerate(household_cells):
                sheet.merge_range(r - size, col, r - 1, col, value)
        if household % 500 == 0:
            sheet.write_string(r, 0, "小计")
            r += 1
        if household % 997 == 0:
            r += 1  # a blank row
    sheet.write_string(r, 0, "合计")
    sheet.write_string(r + 2, 0, "填表人：张三　　审核人：李四")
    book.close()
    return written


def child(path: Path, report: bool) -> None:
    """Runs in a fresh process on a fresh database: the import, then the bare read."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bangfu.regions.services import regions_load_jiuzhaigou

    regions_load_jiuzhaigou()
    from python_calamine import CalamineWorkbook

    from bangfu.ingest.commandline import command_line_user
    from bangfu.ingest.households import county_for, households_import_plan
    from bangfu.ingest.services import households_import_commit
    from bangfu.registry.models import Member

    actor = command_line_user(county_for(None))
    # The same read before the import, for comparison only (the ratio uses the one after it, as it always has):
    # after the import this process holds the plan's millions of objects, and the collector walks them while
    # the read allocates its own, so the floor below is slower than a read in a fresh process. It runs in a
    # process of its own: read here, the memory it freed stayed with this process and was counted as the
    # import's peak.
    code = ("import sys, time; from python_calamine import CalamineWorkbook; s, c = time.perf_counter(), "
            "time.process_time(); CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python(); "
            "print(time.perf_counter() - s, time.process_time() - c)")
    fresh, fresh_cpu = map(float, subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                                                 text=True, check=True).stdout.split())
    gc.collect()
    reset = _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    plan = households_import_plan(actor=actor, source=path, year=2024)
    planned = time.perf_counter() - started
    households_import_commit(actor=actor, plan=plan)
    written = time.perf_counter() - started
    if report:  # the preview's error report, as the page's preview job writes it
        from bangfu.ingest.report import error_report_write

        error_report_write(Path(os.environ["BANGFU_VAR_DIR"]) / "errors.xlsx", plan)
    project, project_cpu = time.perf_counter() - started, time.process_time() - cpu
    import_peak = _peak_mb() if reset else None
    started, cpu = time.perf_counter(), time.process_time()
    CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    floor, floor_cpu = time.perf_counter() - started, time.process_time() - cpu
    report = plan.report()
    process_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak = import_peak if import_peak is not None else process_peak
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the reading and comparison processes
    print(f"members stored {Member.objects.count()}, households written {report['households']}, "
          f"row errors {len(report['errors'])}, plan {planned:.2f} s, commit {written - planned:.2f} s, error "
          f"report {project - written:.2f} s, of {project:.2f} s; peak RSS of the import {peak:.0f} MB (of this process "
          f"with the floor read {process_peak:.0f} MB, of the largest child process (reading, comparison read) {children:.0f} MB); CPU time (less disturbed "
          f"by other processes on a shared machine): project {project_cpu:.2f} s, floor {floor_cpu:.2f} s, ratio "
          f"{project_cpu / floor_cpu:.1f}; the same read before the import: {fresh:.2f} s ({fresh_cpu:.2f} s CPU), "
          f"ratio against it {project / fresh:.1f} ({project_cpu / fresh_cpu:.1f} CPU)", file=sys.stderr)
    print(f"RESULT {project:.3f} {floor:.3f} {peak:.0f}")


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) where Linux allows it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--errors-every", type=int, default=0, metavar="N")
    parser.add_argument("--ledger", type=Path, help="import this ledger (written by an earlier run with the same "
                        "--rows and --errors-every) instead of writing one")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), report=args.errors_every > 0)
        return
    with tempfile.TemporaryDirectory(prefix="bangfu-bench-ingest-") as tmp:
        path = Path(tmp) / "ledger.xlsx"
        started = time.perf_counter()
        if args.ledger:
            path, rows = args.ledger, args.rows
        else:
            rows = write_workbook(path, args.rows, args.errors_every)
        print(f"wrote {rows} member rows ({path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        # The import runs in its own process on its own database, so peak_rss is the import's, not the writer's.
        env = dict(os.environ, BANGFU_VAR_DIR=tmp, DJANGO_SETTINGS_MODULE="bangfu.settings")
        env.pop("DATABASE_URL", None)
        if rows * 16 > 5_000_000:  # past the reader's default limits on purpose (see the docstring)
            env.update(BANGFU_IMPORT_MAX_CELLS=str(rows * 20), BANGFU_IMPORT_MAX_UNPACKED_MB=str(rows // 200 + 200),
                       BANGFU_IMPORT_READ_MEMORY_MB=str(max(2048, rows // 250)))
        out = subprocess.run([sys.executable, __file__, "--child", str(path), "--errors-every", str(args.errors_every)],
                             env=env, capture_output=True, text=True)
        sys.stderr.write(out.stderr[-3000:])
        if out.returncode:
            raise SystemExit(out.returncode)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    _tag, project, floor, peak = line.split()
    project, floor = float(project), float(floor)
    print(f"ingest: ratio={project / floor:.1f} (project {project:.2f} s, floor {floor:.2f} s), rows={rows}, "
          f"peak_rss={peak} MB")


if __name__ == "__main__":
    main()

"""Reading a workbook's cells in a separate process with a memory limit, so that no file can take down the web
worker or the background worker that asked for it.

The checks of ingest/bounds.py refuse what a file declares or holds past the limits before anything is read; this
is the second wall for what they cannot foresee (a library's own misjudgement of a file, a format with nothing to
measure beforehand). The child process caps its address space (RLIMIT_AS, where the system has it), opens the
file by its path (python-calamine tells a password-protected .xls only then), checks each sheet's size as the
library reports it before converting a cell, and sends the rows back in batches; if it dies (an allocation refused
past the cap aborts it), the caller gets a ReadError saying the file was too big to read, and carries on.

    read_grids(path, fmt, limits) -> [(sheet name, rows, merged ranges), ...]   (visible worksheets, in order)

The child is `python -m bangfu.ingest.sandbox FORMAT PATH MAX_CELLS MEMORY_BYTES`; it imports no Django.
"""

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BATCH = 2000  # rows per message: the child holds one batch of Python rows at a time, besides the library's own


def read_grids(path: Path, fmt: str, limits) -> list[tuple[str, list[list], list]]:
    """The visible worksheets' rows (from A1, as Excel numbers them) and merged ranges; ReadError when the file
    cannot be read, is too big, or the reading process ended without finishing."""
    import logging

    from bangfu.ingest.bounds import too_many_cells
    from bangfu.ingest.sniff import damaged, password_protected

    log = logging.getLogger(__name__)
    workdir = None
    source = path
    if path.suffix.lower() != f".{fmt}":  # the library picks its reader by the name: a WPS .et is an .xls
        workdir = Path(tempfile.mkdtemp(prefix="bangfu-read-"))
        source = workdir / f"book.{fmt}"
        try:
            os.symlink(path.resolve(), source)
        except OSError:
            shutil.copyfile(path, source)
    grids: list[tuple[str, list[list], list]] = []
    try:
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", "bangfu.ingest.sandbox", fmt, str(source), str(limits.cells),
                 str(limits.memory)], stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)
            finished = False
            failure = None
            try:
                while True:
                    try:
                        message = pickle.load(process.stdout)
                    except EOFError:
                        break
                    if message[0] == "rows":
                        grids[-1][1].extend(message[1])
                    elif message[0] == "sheet":
                        grids.append((message[1], [], message[2]))
                    elif message[0] == "prepend":  # blank rows above the first used one
                        grids[-1][1][:0] = [[""] * message[2] for _ in range(message[1])]
                    elif message[0] == "error":
                        failure = message
                    elif message[0] == "end":
                        finished = True
            finally:
                process.stdout.close()
                code = process.wait()
            errors.seek(0)
            detail = errors.read(4000).decode("utf-8", errors="replace").strip()
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    if failure is not None:
        rule, detail = failure[1], failure[2]
        log.info("spreadsheet %s not read (%s): %s", path.name, rule, detail)
        if rule == "password":
            raise password_protected()
        if rule == "too_many_cells":
            raise too_many_cells(int(detail), limits)
        raise damaged()
    if not finished or code != 0:
        log.warning("the process reading %s ended with status %s before finishing: %s", path.name, code, detail[-2000:])
        raise _ended(code, limits)
    return grids


def _ended(code: int, limits):
    from django.utils.translation import gettext as _

    from bangfu.ingest.errors import ReadError

    return ReadError("read_aborted", _(
        "表格读取时所需内存超过上限%(limit)s MB（BANGFU_IMPORT_READ_MEMORY_MB），已停止读取，系统未受影响。请检查表格中"
        "是否有异常大的内容或远处的零星单元格，删除后另存再上传，或按乡镇拆分后分别导入") % {
        "limit": f"{limits.memory // 2**20:,}"})


# --- the child process ----------------------------------------------------------------------------------------

def _child(fmt: str, path: str, max_cells: int, memory: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # no such limit on this system: the checks before reading remain
        pass
    out = sys.stdout.buffer

    def send(*message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)

    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(path)
    except python_calamine.PasswordError as error:
        send("error", "password", str(error))
        return
    except Exception as error:  # the library's own error types for damaged or mislabelled files
        send("error", "unreadable", f"{type(error).__name__}: {error}")
        return
    total = 0
    for meta in book.sheets_metadata:
        if str(meta.visible).split(".")[-1] != "Visible" or str(meta.typ).split(".")[-1] != "WorkSheet":
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except Exception as error:
            send("error", "unreadable", f"{type(error).__name__}: {error}")
            return
        end = sheet.end
        total += (end[0] + 1) * (end[1] + 1) if end else 0
        if total > max_cells:  # as the library reports it, before a cell is converted (.xls, .xlsb)
            send("error", "too_many_cells", str(total))
            return
        send("sheet", meta.name, sheet.merged_cell_ranges or [])
        # iter_rows gives rows from the first (as Excel numbers them) but columns from the first used one: both
        # are made to start at A1, as the rows' and columns' letters in every message must.
        start = sheet.start or (0, 0)
        pad = [""] * start[1]
        batch = []
        count = 0
        # Labels repeat down a ledger (村名, 户主, 汉族, 是…): within a batch each distinct short text or number is
        # one object, so the message carries it once and the caller holds it once, not once per row.
        shared: dict = {}
        for row in sheet.iter_rows():
            row = [shared.setdefault(v, v) if type(v) is not str or len(v) <= 12 else v for v in row]
            batch.append(pad + row if pad else row)
            count += 1
            if len(batch) >= BATCH:
                send("rows", batch)
                batch = []
                shared = {}
        if batch:
            send("rows", batch)
        if end and count == end[0] - start[0] + 1 and start[0]:
            send("prepend", start[0], end[1] + 1)
    send("end")
    out.flush()


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))

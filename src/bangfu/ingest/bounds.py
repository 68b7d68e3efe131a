"""A spreadsheet's size, measured before any of it is read: bounded by design.

A 1.5 KB .xlsx with one cell at A1 and one at XFD1048576 asks a reader for 17 billion cells; a 300 KB .xlsx can
unpack to a 300 MB string. So before the cells are read, the reader checks (pure Python, streaming, a megabyte
at a time):

- every zip part of an .xlsx/.xlsm/.xlsb/.ods, decompressed and counted as it really unpacks (not as its header
  claims), against `IMPORT_MAX_UNPACKED_BYTES`, each part and all together (sharedStrings.xml included);
- each sheet's extent in cells (rows × columns from A1 to its last cell) against `IMPORT_MAX_CELLS`, summed over
  the sheets: for .xlsx the larger of its declared `<dimension ref>` and the real last row and column of its
  cells; for .ods the tables' sizes with repeated rows and cells counted as repeated; .xls and .xlsb by the size
  the reading process reports before it converts a cell (ingest/sandbox.py);
- on the way, what the reading library does not report: hidden rows and columns (.xlsx, .ods), merged ranges
  (.ods) and whether a workbook counts its date serials from 1904 (.xlsx's workbookPr date1904, .ods's
  table:null-date, .xls's DATEMODE record).

Each refusal names the limit and the setting that raises it.
"""

import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from bangfu.ingest.errors import ReadError
from bangfu.ingest.sniff import damaged

CHUNK = 1 << 20


@dataclass
class Limits:
    """The limits a read is held to (from settings; a test or the benchmark may pass its own)."""

    cells: int
    unpacked: int           # bytes
    memory: int             # bytes of address space for the reading process

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(settings.IMPORT_MAX_CELLS, settings.IMPORT_MAX_UNPACKED_BYTES, settings.IMPORT_READ_MEMORY_BYTES)


@dataclass
class Layout:
    """What was learnt of a workbook while measuring it."""

    cells: int = 0
    date1904: bool = False
    hidden: dict[str, tuple[set[int], set[int]]] = field(default_factory=dict)  # sheet -> (rows, columns), 0-based
    merged: dict[str, list] = field(default_factory=dict)                        # .ods only: sheet -> ranges


def too_many_cells(cells: int, limits: Limits) -> ReadError:
    return ReadError("too_many_cells", _(
        "表格太大：工作表的范围共约%(cells)s个单元格，超过上限%(limit)s个（BANGFU_IMPORT_MAX_CELLS）。若表格中确实有这么多"
        "数据，请按乡镇拆分后分别导入；若数据不多，可能是表格远处有零星内容或格式，请删除空白行列后另存再上传") % {
        "cells": f"{cells:,}", "limit": f"{limits.cells:,}"})


def too_much_unpacked(size: int, part: str, limits: Limits) -> ReadError:
    return ReadError("too_big_unpacked", _(
        "表格解压后太大：其中“%(part)s”至少%(size)s MB，超过上限%(limit)s MB（BANGFU_IMPORT_MAX_UNPACKED_MB）。"
        "请按乡镇拆分后分别导入，或删除无关的工作表、图片后另存再上传") % {
        "part": part, "size": f"{size / 2**20:,.0f}", "limit": f"{limits.unpacked / 2**20:,.0f}"})


def measure(path: Path, fmt: str, limits: Limits) -> Layout:
    """Check a zipped workbook's parts and extent against `limits` (ReadError past them) and return its layout.
    .xls has no zip parts; its extent is checked by the reading process."""
    layout = Layout()
    if fmt == "xls":
        layout.date1904 = _xls_date1904(path)
    if fmt not in ("xlsx", "xlsb", "ods"):
        return layout
    parts = _Parts(path, limits)
    with parts:
        if fmt == "xlsx":
            _measure_xlsx(parts, layout, limits)
        elif fmt == "ods":
            _measure_ods(parts, layout, limits)
        parts.count_rest()
    return layout


class _Parts:
    """The parts of a zip, each decompressed from its raw bytes so that its real size is counted (a part whose
    header understates its size would otherwise pass a check of the header and unpack past it)."""

    def __init__(self, path: Path, limits: Limits):
        self.path, self.limits = path, limits
        self.total = 0
        self.counted: set[str] = set()

    def __enter__(self):
        try:
            self.archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise damaged() from None
        self.infos = {info.filename: info for info in self.archive.infolist()}
        declared = 0
        for info in self.infos.values():  # what the headers claim already too much: refused without unpacking
            declared += info.file_size
            if info.file_size > self.limits.unpacked:
                raise too_much_unpacked(info.file_size, info.filename, self.limits)
        if declared > self.limits.unpacked:
            raise too_much_unpacked(declared, _("全部内容"), self.limits)
        self.handle = self.path.open("rb")
        return self

    def __exit__(self, *exc):
        self.handle.close()
        self.archive.close()

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def chunks(self, name: str) -> Iterator[bytes]:
        """The part's bytes, a megabyte at a time, counted against the limits as they unpack."""
        info = self.infos[name]
        self.counted.add(name)
        size = 0
        for piece in self._raw(info):
            size += len(piece)
            self.total += len(piece)
            if size > self.limits.unpacked:
                raise too_much_unpacked(size, name, self.limits)
            if self.total > self.limits.unpacked:
                raise too_much_unpacked(self.total, _("全部内容"), self.limits)
            yield piece

    def count_rest(self) -> None:
        for name in self.infos:
            if name not in self.counted:
                for _piece in self.chunks(name):
                    pass

    def _raw(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        if info.flag_bits & 0x1:  # zip-level encryption: not something Excel, WPS or LibreOffice write
            raise damaged()
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            try:
                with self.archive.open(info) as stream:
                    while piece := stream.read(CHUNK):
                        yield piece
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
                raise damaged() from None
            return
        self.handle.seek(info.header_offset)
        header = self.handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise damaged()
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        self.handle.seek(info.header_offset + 30 + name_length + extra_length)
        left = info.compress_size
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        try:
            while left > 0 and not (inflate and inflate.eof):
                raw = self.handle.read(min(CHUNK // 16, left))
                if not raw:
                    raise damaged()
                left -= len(raw)
                if inflate is None:
                    yield raw
                    continue
                while raw:
                    piece = inflate.decompress(raw, CHUNK)  # at most a megabyte out per step, however it packs
                    raw = inflate.unconsumed_tail
                    if piece:
                        yield piece
            if inflate is not None and (tail := inflate.flush()):
                yield tail
        except zlib.error:
            raise damaged() from None


# --- .xlsx --------------------------------------------------------------------------------------------------

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,4})(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]{1,4})(\d+)(?::([A-Z]{1,4})(\d+))?"')
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _measure_xlsx(parts: _Parts, layout: Layout, limits: Limits) -> None:
    if "xl/workbook.xml" not in parts or "xl/_rels/workbook.xml.rels" not in parts:
        raise damaged()
    book = parts.read("xl/workbook.xml")
    rels = parts.read("xl/_rels/workbook.xml.rels")
    layout.date1904 = bool(re.search(rb'<(?:\w+:)?workbookPr\b[^>]*\bdate1904="(?:1|true)"', book))
    targets = {m[0]: m[1] for m in re.findall(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m[1]: m[0] for m in re.findall(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        name = re.search(rb'name="([^"]*)"', tag)
        rid = re.search(rb'r:id="([^"]*)"', tag) or re.search(rb'\bid="([^"]*)"', tag)
        if not (name and rid and rid[1] in targets):
            continue
        target = targets[rid[1]].decode()
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if member not in parts:
            continue
        rows, cols, extent = _scan_sheet(parts.chunks(member))
        layout.cells += extent
        if layout.cells > limits.cells:
            raise too_many_cells(layout.cells, limits)
        layout.hidden[html.unescape(name[1].decode())] = (rows, cols)


def _scan_sheet(chunks: Iterator[bytes]) -> tuple[set[int], set[int], int]:
    """(hidden rows, hidden columns, extent in cells) of one sheet's XML, streamed: the extent is the larger of the
    declared dimension and the real last row and column of its cells (a cell or row without a position counts
    one past the one before it)."""
    hidden_rows: set[int] = set()
    hidden_cols: set[int] = set()
    last_row = last_col = declared_rows = declared_cols = 0
    rows_seen = 0
    carry = b""
    head = True
    for piece in chunks:
        data = carry + piece
        cut = data.rfind(b"<")
        data, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
        if head:  # dimension and column settings come before the rows
            if (dimension := _DIMENSION.search(data)) is not None:
                declared_rows = int(dimension[4] or dimension[2])
                declared_cols = _column_number(dimension[3] or dimension[1])
            for attrs in _COL_TAG.findall(data):
                if _HIDDEN.search(attrs):
                    low, high = re.search(rb'min="(\d+)"', attrs), re.search(rb'max="(\d+)"', attrs)
                    if low and high and int(high[1]) - int(low[1]) < 20_000:
                        hidden_cols.update(range(int(low[1]) - 1, int(high[1])))
            if b"sheetData" in data:
                head = False
        for tag in _ROW_TAG.findall(data):
            number = _ROW_NUMBER.search(tag)
            rows_seen = int(number[1]) if number else rows_seen + 1
            last_row = max(last_row, rows_seen)
            if b'hidden="' in tag and _HIDDEN.search(tag):
                hidden_rows.add(rows_seen - 1)
        refs = _CELL_REF.findall(data)
        if refs:
            last_col = max(last_col, max(_column_number(c) for c in {c for c, _r in refs}))
            last_row = max(last_row, max(int(r) for r in {r for _c, r in refs}))
        # Cells without a position (<c/> is legal): their row's count of cells bounds how far they reach.
        if data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>") > len(refs):
            for row in re.findall(rb"<(?:\w+:)?row\b.*?</(?:\w+:)?row>", data, flags=re.S):
                last_col = max(last_col, len(re.findall(rb"<(?:\w+:)?c[\s>/]", row)))
    rows = max(last_row, declared_rows)
    cols = max(last_col, declared_cols)
    return hidden_rows, hidden_cols, rows * cols


# --- .xls ---------------------------------------------------------------------------------------------------

_XLS_GLOBALS_LIMIT = 1 << 20  # the workbook globals (fonts, formats, styles, sheet list) come first and are small


def _xls_date1904(path: Path) -> bool:
    """Whether an .xls counts its date serials from 1904: the DATEMODE record among the workbook globals at the
    start of its Workbook stream, found through the compound file's allocation table (only its first megabyte
    is read). False where the file is not laid out as expected: the reading process judges it then."""
    try:
        with path.open("rb") as handle:
            stream = _ole_stream_head(handle, ("Workbook", "Book"), _XLS_GLOBALS_LIMIT)
    except (OSError, struct.error, IndexError, ValueError):
        return False
    at = 0
    while at + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, at)
        if record == 0x0022 and length >= 2:  # DATEMODE
            return struct.unpack_from("<H", stream, at + 4)[0] == 1
        if record == 0x000A and at:  # EOF of the globals: no DATEMODE, the 1900 system
            return False
        at += 4 + length
    return False


def _ole_stream_head(handle, names: tuple[str, ...], limit: int) -> bytes:
    """The first `limit` bytes of the named stream of a compound file (version 3 or 4), b"" when it has none.
    A stream under the cutoff (4 KB) lives in the mini stream, as a small LibreOffice .xls's Workbook does."""
    header = handle.read(512)
    shift, mini_shift = struct.unpack_from("<HH", header, 0x1E)
    if header[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or shift not in (9, 12) or mini_shift != 6:
        return b""
    size = 1 << shift

    def sector(number: int) -> bytes:
        handle.seek((number + 1) * size)
        return handle.read(size)

    fat_sectors = [n for n in struct.unpack_from("<109I", header, 0x4C) if n < 0xFFFFFFFA]
    difat, difat_count = struct.unpack_from("<II", header, 0x44)
    for _step in range(min(difat_count, 1 << 16)):  # allocation tables past the first 109 sectors' worth
        if difat >= 0xFFFFFFFA:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(difat))
        fat_sectors += [n for n in entries[:-1] if n < 0xFFFFFFFA]
        difat = entries[-1]
    fat: list[int] = []
    for number in fat_sectors:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

    def chain(start: int, most: int, table: list[int] = fat, read=sector) -> bytes:
        data, seen = [], 0
        while start < len(table) and seen < most:  # free and end marks are past any table's length
            piece = read(start)
            if not piece:  # past the file's end: a damaged table
                break
            data.append(piece)
            seen += len(piece)
            start = table[start]
        return b"".join(data)

    directory = chain(struct.unpack_from("<I", header, 0x30)[0], 1 << 20)
    cutoff, mini_fat_start = struct.unpack_from("<II", header, 0x38)
    entries = [directory[at:at + 128] for at in range(0, len(directory) - 127, 128)]
    for entry in entries:
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(length - 2, 0)].decode("utf-16-le", errors="replace")
        if entry[66] != 2 or name not in names:  # a stream of that name
            continue
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if stream_size >= cutoff:
            return chain(start, min(limit, stream_size))[:stream_size]
        root_start, root_size = struct.unpack_from("<II", entries[0], 116)
        mini_stream = chain(root_start, min(root_size, 1 << 24))
        mini_fat_bytes = chain(mini_fat_start, 1 << 20)
        mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
        return chain(start, stream_size, mini_fat, lambda n, ms=mini_stream: ms[n * 64:(n + 1) * 64])[:stream_size]
    return b""


# --- .ods ---------------------------------------------------------------------------------------------------

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_VALUE_TYPE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
_ODS_REPEAT_LIMIT = 10_000  # a style run to the sheet's end (16384 columns, 1048576 rows) hides nothing read


class _ChunkReader(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.buffer = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.buffer:
            self.buffer = next(self.chunks, b"")
            if not self.buffer:
                return 0
        size = min(len(target), len(self.buffer))
        target[:size], self.buffer = self.buffer[:size], self.buffer[size:]
        return size


def _measure_ods(parts: _Parts, layout: Layout, limits: Limits) -> None:
    """Each table's extent (repeated rows and cells with a value count as repeated: a reader expands them),
    merged ranges and hidden rows and columns, from content.xml streamed."""
    from xml.etree.ElementTree import ParseError, iterparse

    if "content.xml" not in parts:
        raise damaged()
    t = _ODS_TABLE
    merged: list = []
    hidden_rows: set[int] = set()
    hidden_cols: set[int] = set()
    row = col = column = 0
    row_repeat = 1
    last_row = last_col = 0
    depth = 0  # tables inside a cell (rare) are not the sheet's
    try:
        stream = io.BufferedReader(_ChunkReader(parts.chunks("content.xml")), CHUNK)
        for event, element in iterparse(stream, events=("start", "end")):
            tag = element.tag
            if tag == f"{t}null-date" and event == "start":  # the day its number serials count from
                layout.date1904 = element.get(f"{t}date-value", "").startswith("1904-01-01")
                continue
            if tag == f"{t}table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        merged, hidden_rows, hidden_cols = [], set(), set()
                        row = column = last_row = last_col = 0
                        name = element.get(f"{t}name", "")
                        layout.merged[name] = merged
                        layout.hidden[name] = (hidden_rows, hidden_cols)
                else:
                    depth -= 1
                    if depth == 0:
                        layout.cells += last_row * last_col
                        if layout.cells > limits.cells:
                            raise too_many_cells(layout.cells, limits)
                    element.clear()
                continue
            if depth != 1:
                continue
            if tag == f"{t}table-column" and event == "start":
                repeat = int(element.get(f"{t}number-columns-repeated", "1"))
                if element.get(f"{t}visibility", "visible") != "visible" and repeat < _ODS_REPEAT_LIMIT:
                    hidden_cols.update(range(column, column + repeat))
                column += repeat
            elif tag == f"{t}table-row":
                if event == "start":
                    col = 0
                    row_repeat = int(element.get(f"{t}number-rows-repeated", "1"))
                    if element.get(f"{t}visibility", "visible") != "visible" and row_repeat < _ODS_REPEAT_LIMIT:
                        hidden_rows.update(range(row, row + row_repeat))
                else:
                    row += row_repeat
                    element.clear()
            elif tag in (f"{t}table-cell", f"{t}covered-table-cell") and event == "start":
                spanned_cols = int(element.get(f"{t}number-columns-spanned", "1"))
                spanned_rows = int(element.get(f"{t}number-rows-spanned", "1"))
                if spanned_cols > 1 or spanned_rows > 1:
                    merged.append(((row, col), (row + spanned_rows - 1, col + spanned_cols - 1)))
                repeat = int(element.get(f"{t}number-columns-repeated", "1"))
                col += repeat
                if element.get(_ODS_VALUE_TYPE) is not None:
                    last_col = max(last_col, col)
                    last_row = max(last_row, row + row_repeat)
                    if last_row * last_col + layout.cells > limits.cells:
                        raise too_many_cells(last_row * last_col + layout.cells, limits)
    except (ParseError, ValueError):
        raise damaged() from None

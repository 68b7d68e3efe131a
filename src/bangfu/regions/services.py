"""Loading division files into the tree.

A region's subtree is the code range of its prefix (see bangfu.core.scoping), so a row whose level does not match
its code, or whose parent is not the region its code says, would silently widen or narrow someone's jurisdiction.
The loader therefore checks every row against the rules of the 12-digit code before writing anything.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bangfu.regions.models import LEVEL_PREFIX_LENGTH, Region

PACKAGED_JIUZHAIGOU = Path(__file__).parent / "data" / "jiuzhaigou.csv"
REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")
MAX_ERRORS = 20  # reported at once; the rest are counted
BATCH = 2000  # rows per INSERT/UPDATE and codes per IN (...) lookup

PARENT_LEVEL = {"city": "province", "county": "city", "township": "county", "village": "township"}
LEVEL_LABEL = dict(Region.Level.choices)
# What the code of each level looks like. Every 12-digit code matches exactly one of these (see code_level).
SHAPE_RULE = {
    "province": "后10位为0",
    "city": "后8位为0，且第3-4位不为00（否则是省级代码）",
    "county": "后6位为0，且第5-6位不为00（否则是市级代码）",
    "township": "后3位为0，且第7-9位不为000",
    "village": "后3位不为000",
}


class RegionFileError(ValueError):
    """A file that cannot be loaded. `errors` lists (up to MAX_ERRORS) problems, each naming 第N行 and the column."""

    def __init__(self, errors: list[str] | str, *, total: int | None = None):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.total = max(total or 0, len(self.errors))
        message = "\n".join(self.errors)
        if self.total > len(self.errors):
            message += f"\n……共 {self.total} 处错误，只列出前 {len(self.errors)} 处"
        super().__init__(message)


@dataclass
class RegionLoadResult:
    created: int  # codes not in the database before
    updated: int  # existing codes whose name, level or parent changed (or that were re-activated)
    unchanged: int = 0  # existing codes written as they were: not touched at all
    retired: int = 0  # with retire_missing: codes under a county in the file, absent from it, given valid_to
    reactivated: int = 0  # with retire_missing: codes in the file whose valid_to was cleared (counted in updated)


def code_level(code: str) -> str:
    """The level a well-formed 12-digit code belongs to, from its shape alone."""
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def expected_parent(code: str, level: str) -> str | None:
    """The only code that can be the parent: the code's prefix one level up, padded with zeros.

    Checked against the whole of Sichuan (37,728 rows): every row's parent is exactly this, with no exceptions (no
    省直辖 county-level units, no city without counties), so none are allowed. Elsewhere some cities have no county
    level (e.g. 东莞 4419, 中山 4420, 儋州 4604) and their townships hang directly under the city; such a file is
    rejected until an exception is written for exactly that pattern. (Provinces' 省直辖县级行政区划, e.g. 4290/4690,
    use a city-level code with counties under it, which these rules already accept.)
    """
    if level == "province":
        return None
    return code[: LEVEL_PREFIX_LENGTH[PARENT_LEVEL[level]]].ljust(12, "0")


def _is_code(value: str) -> bool:
    return len(value) == 12 and value.isascii() and value.isdigit()


@dataclass
class _Row:
    line: int
    code: str
    name: str
    level: str
    parent: str | None
    ok: bool  # every field well formed, so the consistency rules can be checked


def _parse(text: str, errors: list[str]) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fieldnames = [(f or "").strip() for f in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in fieldnames]
    if missing:
        raise RegionFileError(f"第1行：缺少列：{', '.join(missing)}（需要 code,name,level,parent_code）")
    reader.fieldnames = fieldnames
    rows = []
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise RegionFileError(f"第{reader.line_num + 1}行：无法按 CSV 读取（{error}）") from None
        line = reader.line_num  # the physical line, so blank lines do not shift the number reported
        code = (raw["code"] or "").strip()
        name = (raw["name"] or "").strip()
        level = (raw["level"] or "").strip()
        parent = (raw["parent_code"] or "").strip()
        before = len(errors)
        if not _is_code(code):
            errors.append(f"第{line}行 code：区划代码应为12位数字，实为“{code}”")
        if level not in LEVEL_PREFIX_LENGTH:
            errors.append(f"第{line}行 level：层级应为 {'/'.join(LEVEL_PREFIX_LENGTH)}，实为“{level}”")
        if parent and not _is_code(parent):
            errors.append(f"第{line}行 parent_code：上级代码应为12位数字，实为“{parent}”")
        if not name:
            errors.append(f"第{line}行 name：名称不能为空")
        elif len(name) > Region._meta.get_field("name").max_length:
            errors.append(f"第{line}行 name：名称超过{Region._meta.get_field('name').max_length}个字")
        rows.append(_Row(line, code, name, level, parent or None, ok=len(errors) == before))
    return rows


def _existing(codes) -> dict[str, tuple]:
    """code -> (name, level, parent_id, valid_to) for those of `codes` already in the database."""
    codes = sorted(codes)
    found = {}
    for start in range(0, len(codes), BATCH):
        chunk = codes[start:start + BATCH]
        found.update((r[0], r[1:]) for r in Region.objects.filter(code__in=chunk).order_by()
                     .values_list("code", "name", "level", "parent_id", "valid_to"))
    return found


def _check(rows: list[_Row], known: dict[str, tuple], *, retire_missing: bool, errors: list[str]) -> None:
    """The consistency rules: code shape vs level, parent one level up and a prefix of the code, no duplicates."""
    first_line: dict[str, int] = {}
    level_in_file: dict[str, str | None] = {}
    for row in rows:
        if not _is_code(row.code):
            continue
        if row.code in first_line:
            errors.append(f"第{row.line}行 code：区划代码 {row.code} 重复（第{first_line[row.code]}行已有）")
            row.ok = False
            continue
        first_line[row.code] = row.line
        # None when the row is itself wrong (reported on its own line): its children are then not checked against it.
        level_in_file[row.code] = row.level if row.ok and code_level(row.code) == row.level else None
    counties_in_file = {c for c, level in level_in_file.items() if level == "county"}

    for row in rows:
        if not row.ok:
            continue
        shaped = code_level(row.code)
        if shaped != row.level:
            errors.append(f"第{row.line}行 level：层级为 {row.level}（{LEVEL_LABEL[row.level]}），但区划代码 {row.code} "
                          f"不符合该级代码的规则（{SHAPE_RULE[row.level]}）；按代码应为 {shaped}（{LEVEL_LABEL[shaped]}）")
            continue
        want = expected_parent(row.code, row.level)
        parent = row.parent
        if want is None:
            if parent:
                errors.append(f"第{row.line}行 parent_code：省级区划 {row.code} 不应有上级，实为 {parent}")
            continue
        if not parent:
            errors.append(f"第{row.line}行 parent_code：{LEVEL_LABEL[row.level]} {row.code} 必须有上级，应为 {want}")
            continue
        hint = "" if parent == want else f"（按代码应为 {want}）"
        if parent in level_in_file:
            parent_level = level_in_file[parent]
            if parent_level is None:
                continue  # the parent's own row is already reported
        elif parent in known:
            parent_level = known[parent][1]
            if parent_level not in LEVEL_PREFIX_LENGTH or code_level(parent) != parent_level:
                errors.append(f"第{row.line}行 parent_code：库中上级 {parent} 的层级“{parent_level}”与其代码不符，"
                              f"请在文件中带上该行以更正")
                continue
        else:
            errors.append(f"第{row.line}行 parent_code：区划 {row.code} 的上级 {parent} 不在文件中也不在库中{hint}")
            continue
        if parent_level != PARENT_LEVEL[row.level]:
            errors.append(f"第{row.line}行 parent_code：{LEVEL_LABEL[row.level]} {row.code} 的上级应为"
                          f"{LEVEL_LABEL[PARENT_LEVEL[row.level]]}，但 {parent} 是{LEVEL_LABEL[parent_level]}{hint}")
            continue
        prefix = parent[: LEVEL_PREFIX_LENGTH[parent_level]]
        if not row.code.startswith(prefix):
            errors.append(f"第{row.line}行 parent_code：区划代码 {row.code} 不以上级 {parent} 的前缀 {prefix} 开头{hint}")
            continue
        if retire_missing and parent not in level_in_file and parent[:6].ljust(12, "0") in counties_in_file:
            errors.append(f"第{row.line}行 parent_code：上级 {parent} 不在文件中，而停用缺失区划时该县文件中没有的区划"
                          f"都会停用；请在文件中带上 {parent}")


def _line_of(error: str) -> int:
    return int(error[1:error.index("行")])  # every message starts with 第N行


def _retire_missing(counties: list[str], present: set[str], as_of: dt.date) -> int:
    """Set valid_to on codes under each county that the file does not list. Never deletes: households keep them."""
    retired = 0
    for county in counties:
        prefix = county[:6]
        candidates = (Region.objects.filter(code__gte=prefix.ljust(12, "0"), code__lte=prefix.ljust(12, "9"))
                      .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=as_of)).order_by())
        missing = [c for c in candidates.values_list("code", flat=True) if c not in present]
        for start in range(0, len(missing), BATCH):
            retired += Region.objects.filter(code__in=missing[start:start + BATCH]).update(valid_to=as_of)
    return retired


@transaction.atomic
def regions_load(*, text: str, retire_missing: bool = False, as_of: dt.date | None = None) -> RegionLoadResult:
    """Insert new codes and update changed ones from a division file (code,name,level,parent_code). All or nothing.

    With retire_missing, the file is taken as the complete list for every county whose own row it contains: codes
    under such a county that the file lacks get valid_to = as_of (default today), and codes in the file that were
    retired get valid_to cleared. Rows are never deleted.
    """
    errors: list[str] = []
    rows = _parse(text, errors)
    wanted = {r.code for r in rows if _is_code(r.code)} | {r.parent for r in rows if r.parent and _is_code(r.parent)}
    known = _existing(wanted)
    _check(rows, known, retire_missing=retire_missing, errors=errors)
    if errors:
        errors.sort(key=_line_of)  # in file order; stable, so a line's own errors keep their order
        raise RegionFileError(errors[:MAX_ERRORS], total=len(errors))

    new, changed, reactivated = [], [], 0
    for row in rows:
        fields = {"name": row.name, "level": row.level, "parent_id": row.parent}
        old = known.get(row.code)
        if old is None:
            new.append(Region(code=row.code, **fields))
            continue
        name, level, parent_id, valid_to = old
        revive = retire_missing and valid_to is not None
        if (name, level, parent_id) != (row.name, row.level, row.parent) or revive:
            changed.append(Region(code=row.code, valid_to=None if revive else valid_to, **fields))
            reactivated += revive
    Region.objects.bulk_create(new, batch_size=BATCH)
    Region.objects.bulk_update(changed, ["name", "level", "parent_id", "valid_to"], batch_size=BATCH)
    retired = 0
    if retire_missing:
        counties = sorted(r.code for r in rows if r.level == "county")
        retired = _retire_missing(counties, {r.code for r in rows}, as_of or timezone.localdate())
    return RegionLoadResult(created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed),
                            retired=retired, reactivated=reactivated)


def read_region_file(path: Path | str) -> str:
    """The text of a division file as people have it: UTF-8 with or without BOM, or GB18030/GBK from Excel."""
    path = Path(path)
    if path.is_dir():
        raise RegionFileError("是一个目录，不是文件：请给出区划 CSV 文件的路径")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RegionFileError("找不到该文件") from None
    except OSError as error:
        raise RegionFileError(f"无法读取该文件：{error.strerror or error}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RegionFileError("文件是 UTF-16 编码（Excel“Unicode 文本”）：请另存为“CSV UTF-8（逗号分隔）”")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    # A file that is mostly valid UTF-8 is a damaged UTF-8 file, not GB18030: decoding it as GB18030 would turn
    # every name into mojibake without an error. Chinese GBK text read as UTF-8 gives about one valid character
    # for every 4-10 invalid bytes (measured on sichuan.csv); damaged UTF-8 gives many valid ones per invalid byte.
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - invalid
    if valid >= 4 * invalid:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise RegionFileError(f"第{line}行：文件大部分是 UTF-8，但此处有无效字节（{data[utf8_error.start]:#04x}），"
                              "文件可能已损坏")
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RegionFileError(f"第{line}行：文件编码无法识别（既不是 UTF-8，也不是 GB18030/GBK）："
                              "请另存为“CSV UTF-8（逗号分隔）”") from None


def regions_load_file(*, path: Path | str, retire_missing: bool = False,
                      as_of: dt.date | None = None) -> RegionLoadResult:
    return regions_load(text=read_region_file(path), retire_missing=retire_missing, as_of=as_of)


def regions_load_jiuzhaigou() -> RegionLoadResult:
    """The tree that ships inside the package."""
    return regions_load_file(path=PACKAGED_JIUZHAIGOU)

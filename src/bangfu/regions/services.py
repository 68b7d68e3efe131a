"""Loading division files into the tree."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from bangfu.regions.models import LEVEL_PREFIX_LENGTH, Region

PACKAGED_JIUZHAIGOU = Path(__file__).parent / "data" / "jiuzhaigou.csv"
REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")


class RegionFileError(ValueError):
    pass


@dataclass
class RegionLoadResult:
    created: int
    updated: int


def _rows(text: str) -> tuple[list[dict], set[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegionFileError(f"缺少列：{', '.join(missing)}（需要 code,name,level,parent_code）")
    rows = []
    for row in reader:
        line_no = reader.line_num  # the physical line, so blank lines do not shift the number reported
        code = (row["code"] or "").strip()
        level = (row["level"] or "").strip()
        parent = (row["parent_code"] or "").strip()
        if len(code) != 12 or not code.isdigit():
            raise RegionFileError(f"第{line_no}行 code：区划代码应为12位数字，实为“{code}”")
        if level not in LEVEL_PREFIX_LENGTH:
            raise RegionFileError(f"第{line_no}行 level：层级应为 {'/'.join(LEVEL_PREFIX_LENGTH)}，实为“{level}”")
        if parent and (len(parent) != 12 or not parent.isdigit()):
            raise RegionFileError(f"第{line_no}行 parent_code：上级代码应为12位数字，实为“{parent}”")
        if not (row["name"] or "").strip():
            raise RegionFileError(f"第{line_no}行 name：名称不能为空")
        rows.append({"code": code, "name": row["name"].strip(), "level": level, "parent_id": parent or None,
                     "line": line_no})
    codes = {r["code"] for r in rows}
    return rows, codes


def _fields(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "line"}


@transaction.atomic
def regions_load(*, text: str) -> RegionLoadResult:
    """Insert or update every row of a division file (code,name,level,parent_code). All or nothing."""
    rows, codes = _rows(text)
    known = set(Region.objects.values_list("code", flat=True))
    for row in rows:
        parent = row["parent_id"]
        if parent and parent not in codes and parent not in known:
            raise RegionFileError(f"第{row['line']}行 parent_code：区划 {row['code']} 的上级 {parent} 不在文件中也不在库中")
    new = [Region(**_fields(r)) for r in rows if r["code"] not in known]
    old = [Region(**_fields(r)) for r in rows if r["code"] in known]
    Region.objects.bulk_create(new, batch_size=2000)
    Region.objects.bulk_update(old, ["name", "level", "parent_id"], batch_size=2000)
    return RegionLoadResult(created=len(new), updated=len(old))


def regions_load_file(*, path: Path) -> RegionLoadResult:
    return regions_load(text=Path(path).read_text(encoding="utf-8"))


def regions_load_jiuzhaigou() -> RegionLoadResult:
    """The tree that ships inside the package."""
    return regions_load_file(path=PACKAGED_JIUZHAIGOU)

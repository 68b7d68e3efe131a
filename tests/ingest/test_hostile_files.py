"""Bounded by design: files that would ask the reader for billions of cells or hundreds of megabytes are refused
before anything is read, with a Chinese message naming the limit, through the household import (function, page
and command) as through the shared reader; and a file that gets past the checks can only end the reading process,
never the caller."""

import io
import json
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from bangfu.ingest.bounds import Limits
from bangfu.ingest.households import HOUSEHOLDS
from bangfu.ingest.models import ImportRun
from bangfu.ingest.reader import ReadError, read_workbook
from tests.ingest import hostile
from tests.ingest.workbooks import convert

LIMITS = Limits(cells=5_000_000, unpacked=200 * 2**20, memory=2048 * 2**20)
CASES = [
    ("far_corner", "too_many_cells", "BANGFU_IMPORT_MAX_CELLS"),
    ("huge_shared_string", "too_big_unpacked", "BANGFU_IMPORT_MAX_UNPACKED_MB"),
    ("sparse_sheet", "too_many_cells", "BANGFU_IMPORT_MAX_CELLS"),
    ("lying_dimension", "too_many_cells", "BANGFU_IMPORT_MAX_CELLS"),
    ("unplaced_cells", "too_many_cells", "BANGFU_IMPORT_MAX_CELLS"),
    ("understated_part", "too_big_unpacked", "BANGFU_IMPORT_MAX_UNPACKED_MB"),
    ("ods_repeated", "too_many_cells", "BANGFU_IMPORT_MAX_CELLS"),
]


def _build(tmp_path, name):
    return getattr(hostile, name)(tmp_path / (name + (".ods" if name.startswith("ods") else ".xlsx")))


@pytest.mark.parametrize(("name", "rule", "setting"), CASES)
def test_a_hostile_file_is_refused_before_anything_big_is_allocated(tmp_path, name, rule, setting):
    path = _build(tmp_path, name)
    assert path.stat().st_size < 400_000
    tracemalloc.start()
    try:
        with pytest.raises(ReadError) as caught:
            read_workbook(path, kind=HOUSEHOLDS, limits=LIMITS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.rule == rule and setting in caught.value.message
    assert "超过上限" in caught.value.message
    assert peak < 16 * 2**20  # streamed a megabyte at a time: nothing of the file's claimed size was allocated


def _small(tmp_path, name="small.xlsx"):
    """A 3 × 3 sheet (header and two rows), 9 cells."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["户编号", "姓名", "证件号码"])
    workbook.active.append(["H1", "甲", "x"])
    workbook.active.append(["H2", "乙", "y"])
    path = tmp_path / name
    workbook.save(path)
    return path


def test_the_cell_limit_at_its_boundary(tmp_path):
    path = _small(tmp_path)
    (sheet,) = read_workbook(path, kind=HOUSEHOLDS, limits=Limits(9, LIMITS.unpacked, LIMITS.memory)).sheets
    assert len(sheet.rows) == 2
    with pytest.raises(ReadError) as caught:
        read_workbook(path, kind=HOUSEHOLDS, limits=Limits(8, LIMITS.unpacked, LIMITS.memory))
    assert caught.value.rule == "too_many_cells" and "9个单元格" in caught.value.message


def test_the_cell_limit_of_an_xls_is_the_size_the_reading_process_reports(tmp_path):
    path = convert(_small(tmp_path), "xls")
    assert len(read_workbook(path, kind=HOUSEHOLDS, limits=Limits(9, LIMITS.unpacked, LIMITS.memory)).sheets) == 1
    with pytest.raises(ReadError) as caught:
        read_workbook(path, kind=HOUSEHOLDS, limits=Limits(8, LIMITS.unpacked, LIMITS.memory))
    assert caught.value.rule == "too_many_cells"


def test_the_unpacked_limit_at_its_boundary(tmp_path):
    path = _small(tmp_path)
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    assert read_workbook(path, kind=HOUSEHOLDS, limits=Limits(LIMITS.cells, total, LIMITS.memory)).sheets
    with pytest.raises(ReadError) as caught:
        read_workbook(path, kind=HOUSEHOLDS, limits=Limits(LIMITS.cells, total - 1, LIMITS.memory))
    assert caught.value.rule == "too_big_unpacked"


def test_a_file_past_the_checks_ends_only_the_reading_process(tmp_path):
    """With the checks out of the way (limits raised), the far-corner file makes the library ask for 549 GB: the
    reading process, capped at 512 MB, dies; the caller gets a clear refusal and reads the next file."""
    path = hostile.far_corner(tmp_path / "far.xlsx")
    with pytest.raises(ReadError) as caught:
        read_workbook(path, kind=HOUSEHOLDS, limits=Limits(10**12, LIMITS.unpacked, 512 * 2**20))
    assert caught.value.rule == "read_aborted" and "BANGFU_IMPORT_READ_MEMORY_MB" in caught.value.message
    assert "512 MB" in caught.value.message
    (sheet,) = read_workbook(_small(tmp_path), kind=HOUSEHOLDS).sheets  # this process is alive and reads on
    assert [r.values["name"] for r in sheet.rows] == ["甲", "乙"]


# --- through the household import: the page (background preview) and the command ---------------------------


@pytest.mark.parametrize("name", list(hostile.HOSTILE))
def test_the_import_page_refuses_a_hostile_file_with_its_message(client, tuanjie_cadre, tmp_path, name,
                                                                   django_capture_on_commit_callbacks):
    path = hostile.HOSTILE[name](tmp_path / f"{name}.xlsx")
    client.force_login(tuanjie_cadre)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("台账.xlsx", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:import_start"), {"file": upload, "year": 2024})
    assert response.status_code == 302
    run = ImportRun.objects.latest("pk")
    page = client.get(reverse("ingest:import_detail", args=[run.pk])).content.decode()
    assert "超过上限" in page and ("BANGFU_IMPORT_MAX_CELLS" in page or "BANGFU_IMPORT_MAX_UNPACKED_MB" in page)
    assert run.job.status == run.job.Status.FAILED


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(hostile.HOSTILE))
def test_the_import_command_refuses_a_hostile_file_with_its_message(tmp_path, name, regions):
    path = hostile.HOSTILE[name](tmp_path / f"{name}.xlsx")
    out = io.StringIO()
    with pytest.raises(SystemExit) as ended:
        call_command("import_data", "households", str(path), "--json", stdout=out)
    assert ended.value.code == 1
    (error,) = json.loads(out.getvalue())["errors"]
    assert error["rule"] in ("too_many_cells", "too_big_unpacked") and "超过上限" in error["message"]

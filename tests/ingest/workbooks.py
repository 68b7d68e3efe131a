"""Build ledgers with openpyxl and convert them with LibreOffice (headless), as county staff's files come."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if os.path.exists("/usr/bin/soffice") else None)


def convert(path: Path, fmt: str, options: str = "") -> Path:
    """`path` converted to .xls or .ods (or .csv with a filter's `options`) by LibreOffice; skipped with a reason where it is not installed (CI
    installs it, so there it must run)."""
    if not SOFFICE:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI for the import tests")
        pytest.skip("LibreOffice (soffice) is not installed: .xls/.ods conversions not tested here")
    out = path.parent / fmt
    out.mkdir(exist_ok=True)
    # Each call gets its own profile: parallel soffice processes sharing one profile wait on each other or fail.
    profile = path.parent / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", f"{fmt}:{options}" if options else fmt,
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)
    result = out / (path.stem + "." + fmt)
    assert result.exists(), f"LibreOffice did not write {result}"
    return result


def in_formats(path: Path, formats) -> Path:
    return path if formats == "xlsx" else convert(path, formats)

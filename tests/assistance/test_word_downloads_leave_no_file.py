"""A Word download (a unit's yearly report, the joint meeting's briefing) is written in memory: no temporary file is
left behind on the server for each download (there was one per download, holding the unit's ledger)."""

import tempfile

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_unit_report_and_briefing_leave_no_temporary_file(client, records, cdu, lead_coordinator, temp_dir):
    client.force_login(lead_coordinator)
    report = client.get(f"/assistance/units/{cdu.pk}/report/", {"year": 2022})
    assert report.status_code == 200 and b"".join(report.streaming_content)[:2] == b"PK"
    briefing = client.get("/assistance/briefing/", {"since": "2021-07-01", "until": "2022-12-31"})
    assert briefing.status_code == 200 and b"".join(briefing.streaming_content)[:2] == b"PK"
    assert list(temp_dir.iterdir()) == []
    # The control: the folder is the one tempfile uses.
    with tempfile.NamedTemporaryFile(delete=False):
        pass
    assert len(list(temp_dir.iterdir())) == 1

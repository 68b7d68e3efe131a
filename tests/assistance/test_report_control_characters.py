"""Text stored before the control-character rule still prints: a bell (\\x07) in a fund entry's note no longer
makes the unit's yearly report a 500 for every reader; the spreadsheet exports strip it too."""

import io

import pytest

from bangfu.assistance.models import Fund, UnitReport

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("note", ["到账\x07确认", "到账确认"])
def test_unit_report_opens_with_a_control_character_in_a_fund_note(client, records, cdu, cdu_liaison, note):
    fund = records[cdu.pk]["fund"]
    Fund.objects.filter(pk=fund.pk).update(note=note, purpose="产业\x0b发展")
    # The report summarises the ledger; stored text it prints whole is the unit's report to the meeting.
    UnitReport.objects.create(meeting=records["meeting"], unit=cdu, text="产业\x0b发展", next_steps=note)
    client.force_login(cdu_liaison)
    response = client.get(f"/assistance/units/{cdu.pk}/report/", {"year": fund.date.year})
    assert response.status_code == 200
    text = _docx_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "产业 发展" in text
    assert "\x07" not in text and "\x0b" not in text

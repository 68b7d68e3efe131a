"""Text stored before the control-character rule still prints: the 明白卡 with a vertical tab (a line break pasted
from Word) in the assistance contact's name opens as .docx, the name's words kept apart by a space."""

import datetime as dt
import io

import pytest

from bangfu.cases.models import AssistanceContact

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["王\x0b五", "王五"])  # the stored control character, and the control that passes
def test_card_docx_opens_with_a_control_character_in_the_contact_name(client, county_admin, make_household, name):
    household = make_household()
    AssistanceContact.objects.create(household=household, name=name, post="驻村\x07第一书记", since=dt.date(2026, 1, 5))
    client.force_login(county_admin)
    response = client.get(f"/cases/households/{household.pk}/card/", {"format": "docx"})
    assert response.status_code == 200
    text = _docx_text(response.content)
    assert ("王 五" if "\x0b" in name else "王五") in text and "驻村 第一书记" in text
    page = client.get(f"/cases/households/{household.pk}/card/")
    assert page.status_code == 200

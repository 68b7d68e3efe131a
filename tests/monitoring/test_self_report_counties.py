"""The public self-report with two counties: the person chooses the county, then one of its villages; nothing
falls back to "the first county". With one county loaded it is chosen for them (the control)."""

import pytest
from django.urls import reverse

from bangfu.regions.services import regions_load
from tests.accounts.conftest import JINAN_COMMUNITY, SONGPAN_ROWS
from tests.conftest import TUANJIE

pytestmark = pytest.mark.django_db


def test_one_county_is_chosen_for_the_person(client, regions):
    page = client.get(reverse("monitoring:self_report")).content.decode()
    assert f'value="{TUANJIE}"' in page and 'name="county"' not in page


def test_with_two_counties_the_person_chooses_the_county_then_the_village(client, regions):
    regions_load(text=SONGPAN_ROWS)
    page = client.get(reverse("monitoring:self_report")).content.decode()
    assert 'name="county"' in page and "松潘县" in page and "九寨沟县" in page
    assert f'value="{TUANJIE}"' not in page and f'value="{JINAN_COMMUNITY}"' not in page  # no village yet
    songpan = client.get(reverse("monitoring:self_report"), {"county": "513224"}).content.decode()
    assert f'value="{JINAN_COMMUNITY}"' in songpan and f'value="{TUANJIE}"' not in songpan
    jiuzhaigou = client.get(reverse("monitoring:self_report"), {"county": "513225"}).content.decode()
    assert f'value="{TUANJIE}"' in jiuzhaigou and f'value="{JINAN_COMMUNITY}"' not in jiuzhaigou

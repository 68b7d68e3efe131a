"""The removal page: 减员原因 from a list; removing the head asks for the new head in the same step; the last
member's removal closes the household, and the closed file offers 恢复在册."""

import pytest
from django.urls import reverse

from bangfu.registry.services import member_add
from tests.conftest import synthetic_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, county_admin):
    client.force_login(county_admin)
    return client


def test_head_removal_asks_for_the_new_head(admin_client, make_household, county_admin):
    household = make_household(head_name="老户主")
    wife = member_add(actor=county_admin, household=household, data={"name": "老伴", "relation": "spouse"},
                      id_number=synthetic_id(male=False))
    head = household.members.get(relation="head")
    url = reverse("registry:member_remove", args=[head.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="new_head"' in page and "婚嫁迁出" in page
    response = admin_client.post(url, {"reason": "death", "version": head.version})
    assert response.status_code == 200 and "new_head" in response.context["form"].errors
    response = admin_client.post(url, {"reason": "death", "new_head": wife.pk, "version": head.version}, follow=True)
    household.refresh_from_db()
    assert household.head_name == "老伴"
    assert "已减员 老户主" in response.content.decode()


def test_last_member_closes_and_page_offers_reopen(admin_client, make_household):
    household = make_household()
    member = household.members.get()
    response = admin_client.post(reverse("registry:member_remove", args=[member.pk]), {"reason": "moved_out",
                                                                                        "version": member.version},
                                 follow=True)
    content = response.content.decode()
    assert "已销户" in content and reverse("registry:household_reopen", args=[household.pk]) in content
    response = admin_client.post(reverse("registry:household_reopen", args=[household.pk]), {"reason": "迁回"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.is_active

"""A step refused (a missing field, a rule of the service) comes back with what was typed still in its fields:
the county approval form used to redirect and clear every field."""

import pytest
from django.urls import reverse

from bangfu.cases.models import Case, Transition

pytestmark = pytest.mark.django_db


def test_a_refused_step_keeps_what_was_typed(client, make_household, tuanjie_cadre, defaults, today):
    household = make_household()
    client.force_login(tuanjie_cadre)
    client.post(reverse("cases:case_open", args=[household.pk]),
                {"source": "manual", "lead_date": "2026-03-02", "summary": "大病"})
    case = Case.objects.get()
    transition = Transition.objects.get(kind=case.kind, from_state="verification", to_state="comparison",
                                        role="village_cadre")
    typed = "入户看过，户主住院三周，家里无劳动力"
    response = client.post(reverse("cases:case_advance", args=[case.pk, transition.pk]), {
        f"t{transition.pk}-version": case.version, f"t{transition.pk}-comment": "请乡镇尽快比对",
        f"t{transition.pk}-verification_notes": typed})  # no commitment date: the service refuses
    page = response.content.decode()
    assert response.status_code == 400
    assert "承诺授权书" in page  # the rule is named
    assert typed in page and "请乡镇尽快比对" in page  # and nothing typed is lost
    case.refresh_from_db()
    assert case.state == "verification"
    # The control: filled in, the same post goes through and returns to the case.
    response = client.post(reverse("cases:case_advance", args=[case.pk, transition.pk]), {
        f"t{transition.pk}-version": case.version, f"t{transition.pk}-commitment_signed_on": "2026-03-02",
        f"t{transition.pk}-verification_notes": typed})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "comparison"

"""The self-report limit: at most N reports per sender in the last hour, N a policy number the county edits on the
workflow settings page (audited). The window at its boundary on both sides: reports 59 minutes old still count,
61 minutes old no longer do (a window shortened to one minute, or lengthened to a day, fails here)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bangfu.monitoring.models import Lead
from bangfu.monitoring.services import lead_self_report
from tests.conftest import TUANJIE, synthetic_id

pytestmark = pytest.mark.django_db


def _report(client="203.0.113.7"):
    return lead_self_report(name="王大妈", phone="10012345678", id_number=synthetic_id("19600101"),
                            village_code=TUANJIE, difficulty="老伴住院花了三万多元", risk_type="medical", client=client)


def _age_all(minutes: int) -> None:
    Lead.objects.update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_five_in_the_last_hour_then_refused(regions):
    for _ in range(5):
        _report()
    with pytest.raises(ValidationError, match="同一来源每小时最多申报5次"):
        _report()
    assert _report(client="203.0.113.8").pk  # another sender is counted on its own


def test_reports_59_minutes_old_still_count(regions):
    for _ in range(5):
        _report()
    _age_all(59)
    with pytest.raises(ValidationError, match="每小时最多申报5次"):
        _report()
    assert Lead.objects.count() == 5


def test_reports_61_minutes_old_no_longer_count(regions):
    for _ in range(5):
        _report()
    _age_all(61)
    assert _report().pk
    assert Lead.objects.count() == 6


def test_the_limit_is_the_countys_setting(regions, county_admin):
    from bangfu.audit.models import ChangeRecord
    from bangfu.cases.services import workflow_settings_update

    workflow_settings_update(actor=county_admin, data={"self_reports_per_hour": 2})
    assert ChangeRecord.objects.filter(object_type="workflowsettings").exists()
    _report()
    _report()
    with pytest.raises(ValidationError, match="每小时最多申报2次"):
        _report()
    with pytest.raises(ValidationError, match="1至100"):
        workflow_settings_update(actor=county_admin, data={"self_reports_per_hour": 0})

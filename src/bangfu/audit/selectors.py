"""Reads of the change history, scoped like the data they describe."""

from django.db.models import QuerySet

from bangfu.audit.models import ChangeRecord
from bangfu.core.scoping import village_scope


def change_records_visible_to(user) -> QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(village_scope(user, field="region_code")).select_related("actor")

"""Reads of the import's own records: a run is its uploader's alone (the file holds people's data)."""

from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.ingest.models import ImportMapping, ImportRun


def import_runs_of(user):
    return ImportRun.objects.filter(requested_by=user) if user.is_authenticated else ImportRun.objects.none()


def import_run_get_for_user(user, *, pk: int) -> ImportRun:
    try:
        return import_runs_of(user).select_related("job").get(pk=pk)
    except (ImportRun.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该导入，或不是您上传的")) from None


def import_mapping_for(*, kind: str, shape: str) -> dict[str, str]:
    """The mapping remembered for files of this shape, or {}."""
    record = ImportMapping.objects.filter(kind=kind, shape_digest=ImportMapping.digest(shape)).first()
    return dict(record.mapping) if record else {}

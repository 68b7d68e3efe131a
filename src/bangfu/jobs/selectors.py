from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.jobs.models import Job


def jobs_of(user) -> QuerySet[Job]:
    """A user's own jobs: results may hold personal data, so nobody else's are visible."""
    return Job.objects.filter(requested_by=user)


def job_get_for_user(user, *, pk: int) -> Job:
    try:
        return jobs_of(user).get(pk=pk)
    except Job.DoesNotExist:
        raise Http404(_("没有找到该任务")) from None

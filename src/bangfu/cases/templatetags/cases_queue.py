"""{% work_queue %}: the role's case queue, first on the home page (due today, this week, overdue in colour)."""

from django import template

from bangfu.cases.permissions import can
from bangfu.cases.selectors import work_queue_for

register = template.Library()


@register.inclusion_tag("cases/_work_queue.html", takes_context=True)
def work_queue(context):
    user = context["request"].user
    if not can(user, "cases.view"):
        return {"queue": None}
    return {"queue": work_queue_for(user, limit=10), "request": context["request"]}


@register.inclusion_tag("cases/_home_queues.html", takes_context=True)
def home_queues(context, limit: int = 10):
    """The other queues of whoever must act, each from its list's own filter: overdue warnings (verify), warnings
    on households monitored with their risk open (follow with the case; never counted as overdue), new
    leads with the self-reports (take into identification, attach or close), measures due (add a measure)."""
    from bangfu.cases.selectors import measure_queue_for
    from bangfu.monitoring.selectors import (
        follow_queue_for,
        lead_queue_for,
        verify_queue_for,
        warning_queue_for,
    )

    user = context["request"].user
    groups = [verify_queue_for(user, limit=limit), warning_queue_for(user, limit=limit), follow_queue_for(user, limit=limit), lead_queue_for(user, limit=limit),
              measure_queue_for(user, limit=limit)]
    return {"groups": [g for g in groups if g is not None], "request": context["request"]}

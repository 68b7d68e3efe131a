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

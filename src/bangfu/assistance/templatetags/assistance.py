from django import template

from bangfu.assistance.selectors import village_label

register = template.Library()


@register.filter(name="village")
def village_filter(region) -> str:
    """勿角镇甲勿村 rather than 甲勿村村民委员会."""
    return village_label(region)


@register.filter(name="shown")
def shown_filter(field) -> str:
    """A form field's current value as a reader sees it (choice labels, lists joined), for a read-only page."""
    value = field.value()
    values = value if isinstance(value, list | tuple) else [value]
    choices = {str(k): str(v) for k, v in getattr(field.field, "choices", ())}
    shown = [choices.get(str(v), str(v)) for v in values if v not in (None, "")]
    return "、".join(shown) or "—"
@register.inclusion_tag("assistance/_cadre_home.html", takes_context=True)
def cadre_home(context):
    """A resident cadre's own home (their linked, serving records): today's check-in or its button, this month's
    and year's in-village days against the quota, the day log and their leave."""
    from django.utils import timezone

    from bangfu.accounts.roles import Role
    from bangfu.assistance.attendance import attendance_for
    from bangfu.assistance.selectors import cadres_of_account

    user = context["user"]
    today = timezone.localdate()
    items = []
    if getattr(user, "role", None) != Role.VILLAGE_CADRE:  # a resident cadre's account has the village role
        return {"items": items}
    for cadre in cadres_of_account(user, today=today):
        if not cadre.is_resident:
            continue
        check_ins = list(cadre.check_ins.select_related("village__parent").order_by("-date")[:7])
        items.append({
            "cadre": cadre, "date": today, "attendance": attendance_for(cadre, today=today),
            "today": next((c for c in check_ins if c.date == today), None), "check_ins": check_ins,
            "leaves": list(cadre.leave_requests.select_related("decided_by").order_by("-start")[:5]),
        })
    return {"items": items, "csrf_token": context.get("csrf_token"), "request": context.get("request")}

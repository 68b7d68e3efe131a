"""The 八必访 section of a cadre's home page: households due a care visit this quarter, and overdue."""

from django import template

register = template.Library()


@register.inclusion_tag("care/_home_visits.html", takes_context=True)
def care_visits_due(context, limit: int = 5):
    import datetime as dt

    from django.db.models import Case, Count, IntegerField, Sum, When, Window

    from bangfu.care import groups as g
    from bangfu.registry.selectors import households_visible_to

    user = context["request"].user
    # Those who visit: village cadres and townships (the county reads the figures on the care page).
    if not (user.can("registry.edit") and user.region_id and user.region.level in ("village", "township")):
        return {"show": False}
    today = dt.date.today()
    # One query: the first rows due, with the count due and (overdue lies within due) the count overdue.
    overdue = Case(When(g.visited_since(g.previous_quarter_start(today), today), then=0), default=1,
                   output_field=IntegerField())
    rows = g.visit_due(households_visible_to(user), day=today).select_related("village").annotate(
        due_total=Window(Count("pk")), overdue_total=Window(Sum(overdue))).order_by("village_id", "number")
    shown = list(rows[:limit])
    return {"show": True, "shown": shown, "due": shown[0].due_total if shown else 0,
            "overdue": shown[0].overdue_total if shown else 0, "quarter_start": g.quarter_start(today)}

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

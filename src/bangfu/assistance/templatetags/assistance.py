from django import template

from bangfu.assistance.selectors import village_label

register = template.Library()


@register.filter(name="village")
def village_filter(region) -> str:
    """勿角镇甲勿村 rather than 甲勿村村民委员会."""
    return village_label(region)

# Django's zh_Hans formats leave numbers ungrouped (20007); county ledgers and statistical bulletins group
# by thousands (20,007), as the English pages already do. Everything else stays Django's.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

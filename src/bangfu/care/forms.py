"""The care pages' forms. They parse; the services decide (care.services)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.care.models import TekunSupport
from bangfu.web.forms import Form


class CareVisitForm(Form):
    visitor = forms.CharField(label=_("走访人"), max_length=50)
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    found = forms.CharField(label=_("发现情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.CharField(label=_("处理情况"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"visited_on": dt.date.today()})
        super().__init__(*args, **kwargs)


class CareFactsForm(Form):
    tekun_support = forms.ChoiceField(label=_("特困供养方式"), choices=TekunSupport.choices, required=False)
    orphan = forms.BooleanField(label=_("孤儿"), required=False)


class CareSettingsForm(Form):
    elderly_age = forms.IntegerField(label=_("老年人年龄（周岁及以上）"), min_value=50, max_value=80)
    child_age_below = forms.IntegerField(label=_("留守儿童年龄（不满周岁）"), min_value=6, max_value=18)
    orphan_age_below = forms.IntegerField(label=_("孤儿年龄（不满周岁）"), min_value=14, max_value=18)
    working_age_from = forms.IntegerField(label=_("劳动年龄起（周岁）"), min_value=14, max_value=18)
    employed_min_months = forms.IntegerField(label=_("计为就业的最少年务工月数"), min_value=1, max_value=12)

from django import forms
from django.utils.translation import gettext_lazy as _


class MonitoringLineForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("人均纯收入监测线（元）"), max_digits=10, decimal_places=2)
    source = forms.CharField(label=_("依据文件"), max_length=200, required=False,
                             help_text=_("如：省乡村振兴局关于确定2026年度防止返贫监测范围的通知"))

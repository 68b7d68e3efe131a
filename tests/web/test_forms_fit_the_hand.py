"""Every form's fields fit a phone (bangfu.web.forms.fit_the_hand): date boxes get ISO dates (the locale's
2026/12/07 leaves Chrome's date box empty), amounts and phones open numeric keypads, villages come grouped."""

import datetime as dt

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from bangfu.monitoring.forms import SelfReportForm, WarningVerifyForm
from bangfu.web.forms import Form


def test_the_warning_check_form_shows_its_date_as_a_date_box_reads_it():
    with translation.override("zh-hans"):
        html = str(WarningVerifyForm(initial={"visit_date": dt.date(2026, 12, 7)})["visit_date"])
    assert 'value="2026-12-07"' in html and "2026/12/07" not in html


class _Money(Form):
    amount = forms.DecimalField(label="金额")
    people = forms.IntegerField(label="人数")
    phone = forms.CharField(label="联系电话")
    id_number = forms.CharField(label="身份证号")
    name = forms.CharField(label="姓名")
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_keypads_follow_the_kind_of_field():
    form = _Money()
    assert 'inputmode="decimal"' in str(form["amount"])
    assert 'inputmode="numeric"' in str(form["people"])
    assert 'inputmode="tel"' in str(form["phone"])
    assert 'autocapitalize="characters"' in str(form["id_number"])  # X as the 18th character: full keyboard
    assert "inputmode" not in str(form["name"]) and "inputmode" not in str(form["version"])


@pytest.mark.django_db
def test_the_self_report_groups_villages_by_township(client, regions):
    html = client.get(reverse("monitoring:self_report")).content.decode()
    assert "<optgroup" in html and 'label="双河镇"' in html


def test_self_report_form_accepts_a_grouped_village():
    form = SelfReportForm(villages=[("双河镇", [("513225103213", "团结村")])])
    assert form.fields["village"].valid_value("513225103213")

"""The base of every form: text that every writer can print (bangfu.core.text).

Every form of the project derives from `Form` or `ModelForm` here (or mixes in `PrintableTextMixin`), so a control
character typed or pasted into any field is refused with a message naming the field, before the field's own rules
(Django's own rule refused only NUL, in words that did not say which field or what).
"""

from django import forms
from django.utils.translation import gettext as _

from bangfu.core.text import has_control


def control_message(label) -> str:
    return _("“%(field)s”含有不允许的控制字符（如从 Word 粘贴的换行符或 NUL），请删除后重新输入。") % {
        "field": label}


def fit_the_hand(form) -> None:
    """What every form's fields need on a phone, set once here rather than field by field:
    a date box (<input type=date>) gets its value as 2026-12-07, the only form a browser reads (the locale's
    2026/12/07 leaves the box empty); amounts and counts open the numeric keypad; phones the telephone keypad.
    ID numbers keep the full keyboard, capitals first: an 18th character may be X, which no numeric keypad has."""
    for name, field in form.fields.items():
        widget = field.widget
        attrs = widget.attrs
        if widget.is_hidden:
            continue
        if isinstance(widget, forms.DateInput) and widget.input_type == "date":
            widget.format = "%Y-%m-%d"
        elif isinstance(field, forms.DecimalField | forms.FloatField):
            attrs.setdefault("inputmode", "decimal")
        elif isinstance(field, forms.IntegerField):
            attrs.setdefault("inputmode", "numeric")
        elif isinstance(field, forms.CharField) and isinstance(widget, forms.TextInput):
            if "phone" in name:
                attrs.setdefault("inputmode", "tel")
                attrs.setdefault("autocomplete", "tel")
            elif "id_number" in name:
                attrs.setdefault("autocapitalize", "characters")
                attrs.setdefault("spellcheck", "false")
                attrs.setdefault("autocomplete", "off")


class PrintableTextMixin:
    """Refuses, field by field, any submitted text holding a control character other than tab and line breaks.
    (And fits every field to the hand: fit_the_hand.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fit_the_hand(self)

    def _clean_fields(self):
        super()._clean_fields()
        for name, bound in self._bound_items():
            if isinstance(bound.field, forms.FileField) or bound.field.disabled:
                continue
            value = bound.data
            texts = value if isinstance(value, list | tuple) else [value]
            if any(isinstance(text, str) and has_control(text) for text in texts):
                self.cleaned_data.pop(name, None)
                self._errors[name] = self.error_class([control_message(bound.field.label or name)],
                                                      renderer=self.renderer)


class Form(PrintableTextMixin, forms.Form):
    pass


class ModelForm(PrintableTextMixin, forms.ModelForm):
    pass

"""Text that every writer can print: the one rule for control characters.

C0 and C1 control characters other than tab and line breaks (a vertical tab is what a line break pasted from Word
becomes; NUL cannot be stored by PostgreSQL) make the .docx writer fail and show as _x0007_ in Excel. Where free
text enters (forms, the API, imports) it is refused or stripped by this rule; the document and spreadsheet writers
strip it too, for text stored before the rule.
"""

import re

# C0 except \t \n \r, DEL, C1: the characters no field of ours takes. \r stays: browsers send text areas' line
# breaks as \r\n.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What XML 1.0 (and so .docx and .xlsx) cannot hold at all, beyond the rule above.
_NOT_XML = re.compile("[\ufffe\uffff]")


def has_control(text: str) -> bool:
    """True when `text` holds a control character the rule refuses."""
    return not text.isprintable() and CONTROL.search(text) is not None


def printable(value) -> str:
    """`value` as text a writer can print: each refused control character replaced by a space (a pasted line break
    stays a gap between words, 张\\x0b三 does not become 张三 silently)."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    return _NOT_XML.sub("", CONTROL.sub(" ", text))

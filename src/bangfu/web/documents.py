"""Word documents whose text every reader can open: python-docx refuses a control character (a vertical tab pasted
from Word into a contact's name, a bell in a fund's note) with an error, so every text a document writer adds goes
through bangfu.core.text.printable, including text stored before the input rule existed."""

from bangfu.core.text import printable


class PrintableDocument:
    """A python-docx Document whose paragraphs, headings and table cells take text through `printable`."""

    def __init__(self, document):
        self._document = document

    def add_paragraph(self, text="", style=None):
        return self._document.add_paragraph(printable(text), style)

    def add_heading(self, text="", level=1):
        return self._document.add_heading(printable(text), level)

    def __getattr__(self, name):
        return getattr(self._document, name)


def cell_text(cell, text) -> None:
    """Set a table cell's text, printable."""
    cell.text = printable(text)

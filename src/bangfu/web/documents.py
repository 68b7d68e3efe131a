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


# --- the one page setup every .docx the product writes shares -------------------------------------------------

A4_WIDTH_MM, A4_HEIGHT_MM = 210, 297  # village printers take A4 (portrait)
MARGIN_MM = 20
FONT = "Noto Sans CJK SC"  # vendored with the server's fonts; Word substitutes a CJK font on machines without it
EAST_ASIA_FONT = "宋体"


def a4_document(*, author: str = "", title: str = "", font_size: float = 11) -> PrintableDocument:
    """A new Word document on A4 portrait with 2 cm margins, a CJK body font, and the author and title in its core
    properties (the unit's name for the documents a unit hands out; the system's name otherwise)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(A4_WIDTH_MM), Mm(A4_HEIGHT_MM)
        section.left_margin = section.right_margin = Mm(MARGIN_MM)
        section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(font_size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIA_FONT)
    properties = document.core_properties
    properties.author = printable(author or "bangfu")
    properties.last_modified_by = properties.author
    properties.title = printable(title)
    return PrintableDocument(document)

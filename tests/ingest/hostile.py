"""Workbooks no tool writes but anyone can: .xlsx and .ods built as hand-written XML in a zip, for the reader's
limits. Each is small on disk and huge when read naively."""

import zipfile
from pathlib import Path

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/sharedStrings.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}'
             '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                  'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                  'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{items}</sst>'
HEADER = ["户编号", "姓名", "证件号码"]


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(headers=HEADER) -> str:
    cells = "".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(headers))
    return f'<row r="1">{cells}</row>'


def xlsx(path: Path, rows_xml: str, *, dimension: str | None = None, shared: list[str] = (),
         date1904: bool = False) -> Path:
    """An .xlsx of one sheet whose <sheetData> is `rows_xml`, as a hand-written zip."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'{dim}<sheetData>{rows_xml}</sheetData></worksheet>')
    items = "".join(f"<si><t>{text}</t></si>" for text in shared)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(pr='<workbookPr date1904="1"/>' if date1904 else ""))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", _SST.format(n=len(shared), items=items))
    return path


def far_corner(path: Path) -> Path:
    """(a) 1.5 KB: the header at A1 and one number at XFD1048576, the last cell a sheet can have (17 billion
    cells between them for a reader that fills the rectangle)."""
    return xlsx(path, header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def huge_shared_string(path: Path, megabytes: int = 300) -> Path:
    """(b) about 300 KB on disk: one shared string of `megabytes` MB (written a megabyte at a time, so building
    it takes no memory either)."""
    xlsx(path, header_row() + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>')
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist() if name != "xl/sharedStrings.xml"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                      b'uniqueCount="1"><si><t>')
            block = b"x" * 2**20
            for _ in range(megabytes):
                out.write(block)
            out.write(b"</t></si></sst>")
    return path


def sparse_sheet(path: Path) -> Path:
    """(c) a sheet declared and used to A1:KN100000 (300 columns × 100,000 rows) with only three cells."""
    return xlsx(path, header_row() + '<row r="100000"><c r="KN100000"><v>1</v></c></row>',
                dimension="A1:KN100000")


def lying_dimension(path: Path) -> Path:
    """A sheet declaring A1:C2 whose last cell is at XFD1048576: the cells' positions are what counts."""
    return xlsx(path, header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:C2")


def unplaced_cells(path: Path) -> Path:
    """A last row of 16,384 cells written without positions (<c/> is legal XML for an empty cell)."""
    return xlsx(path, header_row() + '<row r="1048576">' + "<c><v>1</v></c>" * 16384 + "</row>")


def understated_part(path: Path, megabytes: int = 300) -> Path:
    """A shared-strings part whose zip headers claim 1 KB but which unpacks to `megabytes` MB."""
    import struct

    huge_shared_string(path, megabytes)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
    # Written with zip64 extras; rewrite as a plain entry claiming 1 KB in the local and the central header.
    struct.pack_into("<I", data, info.header_offset + 22, 1024)
    name = b"xl/sharedStrings.xml"
    at = data.find(b"PK\x01\x02", 0)
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + length]) == name:
            struct.pack_into("<I", data, at + 24, 1024)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def ods_repeated(path: Path) -> Path:
    """An .ods whose one row holding a value is repeated a million times across 16,384 columns."""
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               '<table:table-row>' + "".join(
                   f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
                   for h in HEADER) + '</table:table-row>'
               '<table:table-row table:number-rows-repeated="1000000">'
               '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1">'
               '<text:p>1</text:p></table:table-cell></table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


HOSTILE = {"far_corner": far_corner, "huge_shared_string": huge_shared_string, "sparse_sheet": sparse_sheet}

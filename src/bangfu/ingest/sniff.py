"""What a file really is, from its bytes, whatever its name says: the reader's first step.

Counties' files come from many systems: an "Excel export" that is a web page (HTML) or an Excel 2003 XML file
named .xls, a WPS workbook named .et, a password-protected workbook, a PDF or a photo renamed, an empty or
half-copied file. Each gets a Chinese message saying what it is and what to do (`ReadError`); the library's own
words, where a library was asked, go to the log only.

    file_format(path) -> "xlsx" | "xlsb" | "ods" | "xls" | "csv"     (or raises ReadError)
"""

import mmap
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from bangfu.ingest.errors import ReadError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .xls, .et and of encrypted .xlsx
# Suffixes a spreadsheet may carry: WPS writes .et (its workbook) and .ett (its template) in the .xls format.
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".xlsb", ".ods", ".et",
                                  ".ett"})
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
SUFFIXES = SPREADSHEET_SUFFIXES | TEXT_SUFFIXES
_SIGNATURES = (  # other files renamed: what they are, for the message
    (b"%PDF", "PDF文档"), (b"\xff\xd8\xff", "JPEG图片"), (b"\x89PNG", "PNG图片"), (b"GIF8", "GIF图片"),
    (b"BM", "BMP图片"), (b"Rar!", "RAR压缩包"), (b"7z\xbc\xaf", "7z压缩包"), (b"\x1f\x8b", "gzip压缩包"),
    (b"{\\rtf", "RTF文档"), (b"II*\x00", "TIFF图片"), (b"MM\x00*", "TIFF图片"),
)


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _not_a_spreadsheet(what: str) -> ReadError:
    return ReadError("not_spreadsheet", _("这个文件是%(what)s，不是表格文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的表格") % {
        "what": what})


def unsupported_suffix(suffix: str) -> ReadError:
    return ReadError("file_type", _("不支持的文件类型“%(suffix)s”：请上传 .xlsx、.xls、.ods 或 .csv 文件") % {
        "suffix": suffix or _("无扩展名")})


def file_format(path: Path) -> str:
    """The format to read `path` as, decided by its content; ReadError with what it is when it is no table."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise unsupported_suffix(suffix)
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty", _("文件是空的（0字节）：请确认选对了文件，重新导出或保存后再上传"))
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(OLE):
        return _ole_format(path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_format(path)
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise _not_a_spreadsheet(_(what))
    text = _text_head(head)
    if text is None:
        raise _not_a_spreadsheet(_("无法识别的二进制文件"))
    probe = text.lstrip("\ufeff \t\r\n").lower()[:4096]
    if "urn:schemas-microsoft-com:office:spreadsheet" in probe or 'progid="excel.sheet"' in probe:
        raise ReadError("spreadsheetml", _(
            "这个文件是Excel 2003 XML表格（SpreadsheetML），只是扩展名为“%(suffix)s”，无法直接读取：请用Excel或WPS打开，"
            "“另存为”Excel工作簿（.xlsx）后再上传") % {"suffix": suffix})
    if probe.startswith(("<!doctype html", "<html", "<table", "<meta", "mime-version:")) or (
            probe.startswith("<") and ("<html" in probe or "<table" in probe)):
        raise ReadError("html", _(
            "这个文件实际是网页（HTML）格式，只是扩展名为“%(suffix)s”（有些系统导出的“Excel”就是网页）：请用Excel或WPS"
            "打开，“另存为”Excel工作簿（.xlsx）后再上传") % {"suffix": suffix})
    if probe.startswith("<?xml") or probe.startswith("<"):
        raise _not_a_spreadsheet(_("XML或网页文件"))
    if suffix not in TEXT_SUFFIXES | {".xls", ".et"}:  # a zipped workbook's name on plain text: not what it says
        raise damaged()
    return "csv"  # text: comma, semicolon or tab separated (some systems name such files .xls)


def _text_head(head: bytes) -> str | None:
    """The start of a text file as text, or None when it is binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as error:
            if error.start > len(head) - 4:  # a character cut at the end of the sample
                return head[:error.start].decode(encoding, errors="ignore")
    return None


def _ole_format(path: Path) -> str:
    """A compound file: an .xls (or WPS .et), or an .xlsx encrypted with a password, or a Word/PowerPoint file."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(_utf16("EncryptedPackage")) >= 0 or data.find(_utf16("EncryptionInfo")) >= 0:
            raise password_protected()
        if data.find(_utf16("Workbook")) >= 0 or data.find(_utf16("Book")) >= 0:
            return "xls"
        if data.find(_utf16("WordDocument")) >= 0:
            raise _not_a_spreadsheet(_("Word文档"))
        if data.find(_utf16("PowerPoint Document")) >= 0:
            raise _not_a_spreadsheet(_("PowerPoint演示文稿"))
    raise _not_a_spreadsheet(_("Office复合文档（不含工作表）"))


def password_protected() -> ReadError:
    return ReadError("password", _(
        "这个工作簿设置了打开密码，无法读取：请在Excel或WPS中打开它，取消密码（文件→信息→保护工作簿→用密码进行加密，"
        "清空密码；WPS：文件→文档加密→密码加密）后保存，再上传"))


def damaged() -> ReadError:
    return ReadError("unreadable", _(
        "文件已损坏或格式无法识别（可能下载或拷贝未完成）：请用Excel或WPS打开确认能正常显示，“另存为”Excel工作簿"
        "（.xlsx）后再上传"))


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ReadError("zip_damaged", _(
            "文件已损坏（压缩结构不完整，可能下载或拷贝未完成）：请重新导出或重新拷贝后再上传")) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and (b"spreadsheet" in mimetype or not mimetype):
        return "ods"
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise _not_a_spreadsheet(_("Word文档"))
    if any(name.startswith("ppt/") for name in names) or b"presentation" in mimetype:
        raise _not_a_spreadsheet(_("PowerPoint演示文稿"))
    if "[Content_Types].xml" in names:
        raise _not_a_spreadsheet(_("Office文档（不含工作表）"))
    raise _not_a_spreadsheet(_("ZIP压缩包"))

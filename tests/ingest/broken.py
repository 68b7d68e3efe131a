"""Workbooks that cannot be read, built as they reach a county: one saved with an opening password (an OLE compound
file holding EncryptionInfo and EncryptedPackage, the layout Excel and WPS give an encrypted .xlsx), one whose copy
stopped part-way (the zip cut short), one whose sheet XML ends mid-way (a zip that is whole, a sheet that is not).

No tool on the test machine encrypts a workbook (msoffcrypto-tool is optional; LibreOffice's command line ignores a
password), so the compound file is written here: a valid version-3 compound file (512-byte sectors, one FAT sector,
one directory sector) with the two streams Excel writes, the EncryptionInfo starting with agile encryption's version
4.4 and its XML descriptor. Streams are 4,096 bytes or more, so they sit in regular sectors (no mini stream).
"""

import struct
import zipfile
from pathlib import Path

import openpyxl

SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
AGILE_INFO = (b"\x04\x00\x04\x00\x40\x00\x00\x00" + (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
    b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
    b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
    b'</encryption>'))


def ledger(path: Path, rows) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def _entry(name: str, kind: int, *, left=NO_STREAM, right=NO_STREAM, child=NO_STREAM, start=END, size=0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
            + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))


def password_protected(path: Path) -> Path:
    """An .xlsx saved with an opening password: a compound file with EncryptionInfo and EncryptedPackage."""
    info = AGILE_INFO.ljust(4096, b"\0")
    package = struct.pack("<Q", 6000) + bytes(range(256)) * 24  # the size of the plain package, then "ciphertext"
    package = package.ljust(-(-len(package) // SECTOR) * SECTOR, b"\0")
    info_start, info_count = 2, len(info) // SECTOR
    package_start, package_count = info_start + info_count, len(package) // SECTOR
    fat = [FAT_SECTOR, END]
    for start, count in ((info_start, info_count), (package_start, package_count)):
        fat += [start + i + 1 for i in range(count - 1)] + [END]
    fat += [FREE] * (SECTOR // 4 - len(fat))
    # Directory: root → EncryptionInfo, whose right sibling is EncryptedPackage (longer names sort later).
    directory = (_entry("Root Entry", 5, child=1)
                 + _entry("EncryptionInfo", 2, right=2, start=info_start, size=len(info))
                 + _entry("EncryptedPackage", 2, start=package_start, size=len(package))
                 + _entry("", 0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<109I", 0, *([FREE] * 108)))
    assert len(header) == SECTOR and len(directory) == SECTOR
    path.write_bytes(header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + info + package)
    return path


def cut_short(path: Path, source: Path) -> Path:
    """`source` copied only to half its bytes, as a download or a USB copy that stopped: no central directory."""
    data = source.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def sheet_cut_mid_way(path: Path, source: Path) -> Path:
    """`source` with its first sheet's XML ending mid-way (the zip itself whole, every CRC right)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[:data.index(b"</row>") + len(b"</row>") + 20]  # the first row, then half a tag
            out.writestr(item, data)
    return path

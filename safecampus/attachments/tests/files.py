"""Small files built in memory, each a real instance of its format."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def upload(name: str, data: bytes, claimed: str = "application/octet-stream"):
    """An upload as the browser sends it; ``claimed`` is the type it says, never trusted."""
    return SimpleUploadedFile(name, data, content_type=claimed)


def exif_with_gps(*, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (31.0, 50.0, 12.5), 3: "E", 4: (119.0, 58.0, 1.25)})
    return exif


def jpeg_with_gps(size=(40, 20), orientation: int = 6) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    image.save(out, "JPEG", exif=exif_with_gps(orientation=orientation), xmp=XMP, comment=b"cam")
    return out.getvalue()


def png(size=(20, 20), *, with_metadata: bool = False) -> bytes:
    from PIL import PngImagePlugin

    out = io.BytesIO()
    options = {}
    if with_metadata:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        info.add_text("Author", "张三")
        options = {"pnginfo": info, "exif": exif_with_gps()}
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG", **options)
    return out.getvalue()


def webp_with_gps(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 0, 200)).save(out, "WEBP", exif=exif_with_gps(), xmp=XMP)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, "GIF")
    return out.getvalue()


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 413
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 24
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 32
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 32

_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_WORD_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"


def ooxml(main_part: str, part_name: str = "/word/document.xml") -> bytes:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part_name}" ContentType="{main_part}"/>'
        "</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", manifest)
        archive.writestr(part_name.lstrip("/"), "<document/>")
    return out.getvalue()


def docx() -> bytes:
    return ooxml(_WORD_MAIN)


def xlsx() -> bytes:
    return ooxml(_SHEET_MAIN, "/xl/workbook.xml")


def docm() -> bytes:
    return ooxml(_WORD_MACRO)


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()

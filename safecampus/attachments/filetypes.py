"""The file types SafeCampus accepts, recognised by their bytes and never by their name.

``ALLOWED_TYPES`` is the one list: adding a type means adding a ``FileType`` and
a check in ``sniff``. Anything the sniffer does not recognise is refused, so a
``.jpg`` that is really HTML, a GIF, an SVG or a macro-enabled workbook never
reaches the store.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    """An accepted type: the MIME type served, the extension stored, a label for people."""

    key: str
    mime: str
    extension: str
    label: str | Promise
    image_format: str = ""  # Pillow's format name; set for images that are re-encoded


JPEG = FileType("jpeg", "image/jpeg", ".jpg", _("JPEG image"), image_format="JPEG")
PNG = FileType("png", "image/png", ".png", _("PNG image"), image_format="PNG")
WEBP = FileType("webp", "image/webp", ".webp", _("WebP image"), image_format="WEBP")
PDF = FileType("pdf", "application/pdf", ".pdf", _("PDF document"))
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    _("Word document"),
)
XLSX = FileType(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    _("Excel workbook"),
)
MP3 = FileType("mp3", "audio/mpeg", ".mp3", _("MP3 audio"))
M4A = FileType("m4a", "audio/mp4", ".m4a", _("M4A audio"))
MP4 = FileType("mp4", "video/mp4", ".mp4", _("MP4 video"))
WAV = FileType("wav", "audio/wav", ".wav", _("WAV audio"))
TEXT = FileType("txt", "text/plain", ".txt", _("plain text"))

ALLOWED_TYPES: dict[str, FileType] = {
    t.key: t for t in (JPEG, PNG, WEBP, PDF, DOCX, XLSX, MP3, M4A, MP4, WAV, TEXT)
}
BY_MIME: dict[str, FileType] = {t.mime: t for t in ALLOWED_TYPES.values()}

# The main part of an Office Open XML package; macro-enabled variants have other names.
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024  # [Content_Types].xml is a few KiB; more is a zip bomb
_M4A_BRANDS = {b"M4A ", b"M4B "}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V "}
# Browsers that ignore nosniff (and old ones) render these as HTML or SVG.
_MARKUP = re.compile(
    r"<\s*(!doctype|html|head|body|script|iframe|svg|\?xml|object|embed|meta|style|a\s)",
    re.IGNORECASE,
)
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # tab, newlines and form feed pass
_CHUNK = 64 * 1024


def sniff(fileobj: IO[bytes]) -> FileType | None:
    """The accepted type of the content of ``fileobj`` (seekable), or None when it is refused."""
    fileobj.seek(0)
    head = fileobj.read(64)
    fileobj.seek(0)
    detected = _sniff_head(head) or _sniff_structured(fileobj, head)
    fileobj.seek(0)
    return detected


def _sniff_head(head: bytes) -> FileType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    if head[4:8] == b"ftyp":
        if head[8:12] in _M4A_BRANDS:
            return M4A
        if head[8:12] in _MP4_BRANDS:
            return MP4
    if _is_mpeg_audio_frame(head):
        return MP3
    return None


def _sniff_structured(fileobj: IO[bytes], head: bytes) -> FileType | None:
    if head.startswith(b"PK\x03\x04"):
        return _sniff_ooxml(fileobj)
    if head.startswith(b"ID3"):
        return _sniff_id3(fileobj, head)
    if _is_utf8_text(fileobj):
        return TEXT
    return None


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG-1/2 layer III frame header: 11 sync bits, a valid version, bitrate and rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0x3
    return version != 0x1 and layer == 0x1 and bitrate not in (0x0, 0xF) and rate != 0x3


def _sniff_id3(fileobj: IO[bytes], head: bytes) -> FileType | None:
    """An ID3v2 tag may precede any audio; the first frame after it must be MP3."""
    if len(head) < 10 or head[3] not in (2, 3, 4) or any(b & 0x80 for b in head[6:10]):
        return None
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
    footer = 10 if head[5] & 0x10 else 0
    fileobj.seek(10 + size + footer)
    return MP3 if _is_mpeg_audio_frame(fileobj.read(4)) else None


def _sniff_ooxml(fileobj: IO[bytes]) -> FileType | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX_BYTES:
                return None
            manifest = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    # A substring search, not an XML parser: nothing in the upload gets to expand entities.
    declared = set(re.findall(r'ContentType\s*=\s*"([^"]+)"', manifest))
    found = {_OOXML_MAIN_PARTS[ct] for ct in declared if ct in _OOXML_MAIN_PARTS}
    return found.pop() if len(found) == 1 else None


def _is_utf8_text(fileobj: IO[bytes]) -> bool:
    """Strict UTF-8 without NUL or control characters, and not markup a browser would render."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    start, seen = "", False
    try:
        while chunk := fileobj.read(_CHUNK):
            seen = True
            text = decoder.decode(chunk)
            if _TEXT_CONTROLS.search(text):
                return False
            if len(start) < 1024:
                start += text[: 1024 - len(start)]
        start += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    stripped = start.lstrip()
    return seen and not stripped.startswith("<") and not _MARKUP.search(start)

import io

import pytest

from safecampus.attachments import filetypes
from safecampus.attachments.filetypes import ALLOWED_TYPES, sniff
from safecampus.attachments.tests import files


def sniffed(data: bytes) -> str | None:
    found = sniff(io.BytesIO(data))
    return found.key if found else None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (files.jpeg_with_gps(), "jpeg"),
        (files.png(), "png"),
        (files.webp_with_gps(), "webp"),
        (files.PDF, "pdf"),
        (files.docx(), "docx"),
        (files.xlsx(), "xlsx"),
        (files.MP3_FRAME, "mp3"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"\x00" * 5 + files.MP3_FRAME, "mp3"),
        (files.M4A, "m4a"),
        (files.MP4, "mp4"),
        (files.WAV, "wav"),
        ("校园安全检查记录\n第一项：消防通道畅通。\n".encode(), "txt"),
        (b"\xef\xbb\xbfplain text with a BOM\r\n\ttabbed\n", "txt"),
        (b"1 < 2 and 3 > 2\n", "txt"),
    ],
)
def test_accepted_types_are_recognised_by_content(data, key):
    assert sniffed(data) == key


@pytest.mark.parametrize(
    "data",
    [
        files.HTML,
        b"  \n<html><body>hi</body></html>",
        b"notes first\n<script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        b'<?xml version="1.0"?><x/>',
        files.gif(),
        files.docm(),
        files.plain_zip(),
        files.MOV,
        b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"\x00" * 5 + b"not audio",
        b"MZ\x90\x00\x03\x00\x00\x00",
        b"caf\xe9 in latin-1",
        b"text with a NUL\x00 byte",
        b"text with an escape \x1b[31m",
        b"\xff\xd9\x00\x00",
        b"",
    ],
)
def test_other_content_is_refused(data):
    assert sniffed(data) is None


def test_the_allowed_list_is_one_table_with_unique_mime_types_and_extensions():
    assert sorted(ALLOWED_TYPES) == [
        "docx", "jpeg", "m4a", "mp3", "mp4", "pdf", "png", "txt", "wav", "webp", "xlsx",
    ]  # fmt: skip
    assert len(filetypes.BY_MIME) == len(ALLOWED_TYPES)
    assert len({t.extension for t in ALLOWED_TYPES.values()}) == len(ALLOWED_TYPES)
    assert {t.key for t in ALLOWED_TYPES.values() if t.image_format} == {"jpeg", "png", "webp"}


def test_sniff_leaves_the_file_at_its_start():
    stream = io.BytesIO(files.docx())
    stream.seek(7)
    assert sniff(stream) is filetypes.DOCX
    assert stream.tell() == 0

"""The Hikvision ISAPI parser replays recorded-style notifications: each maps to the right
generic event, a re-sent one keeps its event id, and anything malformed, oversized or
dangerous is refused with ``IsapiError`` — and with nothing else, whatever the bytes."""

from __future__ import annotations

import contextlib
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from safecampus.security.adapters.hikvision import parser as hikvision
from safecampus.security.adapters.hikvision.parser import DEVICE_TZ, IsapiError, parse_isapi
from safecampus.security.choices import DEVICE_EVENT_TYPES
from safecampus.security.services.ingest import EventRejected, parse_event

FIXTURES = Path(hikvision.__file__).parent / "fixtures"
#: Shortly after the fixtures' notifications (11 March 2026, Beijing time).
NOW = datetime(2026, 3, 11, 23, 40, tzinfo=DEVICE_TZ)
XML = 'application/xml; charset="UTF-8"'
JSON = "application/json"
BOUNDARY = "MIME_boundary"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(body: bytes, content_type: str = XML) -> list[dict]:
    return parse_isapi(body, content_type, now=NOW)


def one(body: bytes, content_type: str = XML) -> dict:
    [event] = parse(body, content_type)
    return event


def jpeg(width: int = 32, height: int = 24, colour: str = "gray") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


def part(disposition: str, data: bytes, content_type: str | None, *, eol: bytes = b"\r\n") -> bytes:
    """One part as Hikvision writes it: disposition, type, length, blank line, content."""
    head = [f"Content-Disposition: {disposition}"]
    if content_type:
        head.append(f"Content-Type: {content_type}")
    head.append(f"Content-Length: {len(data)}")
    lines = b"".join(line.encode() + eol for line in head)
    return b"--" + BOUNDARY.encode() + eol + lines + eol + data + eol


def multipart(*parts: bytes, eol: bytes = b"\r\n") -> bytes:
    return b"".join(parts) + b"--" + BOUNDARY.encode() + b"--" + eol


FORM = f"multipart/form-data; boundary={BOUNDARY}"


# --- every fixture maps to the right event ---------------------------------------------------

EXPECTED = [
    # file, type, zone, subject, event id
    ("linedetection.xml", "line_crossing", "北围墙", None, "hik-af44787add7b72deebdb80c2e0c8786c"),
    ("linedetection.json", "line_crossing", "北围墙", None, "hik-af44787add7b72deebdb80c2e0c8786c"),
    (
        "fielddetection_hikvision_ns.xml",
        "perimeter_intrusion",
        "region 3",
        None,
        "hik-c95003a57b4e1c0c2e4d7706f218defc",
    ),
    (
        "regionentrance.xml",
        "region_entrance",
        "器材室门口",
        None,
        "hik-5a1da091531c57cec5bd9ee74bd590f5",
    ),
    (
        "regionexiting.xml",
        "region_exit",
        "器材室门口",
        None,
        "hik-e53a6630e1537f05169ca62641686a7c",
    ),
    ("loitering.xml", "loitering", "校门外人行道", None, "hik-6f730e80176ab5026857ddc74b60b38c"),
    (
        "peoplegathering.xml",
        "crowd_gathering",
        "校门外人行道",
        None,
        "hik-ce9b7ead2ee34027612e581ccf2ce4b9",
    ),
    ("fastmoving.xml", "running", "region 1", None, "hik-2f1afef68032f3fa219362e8857f317b"),
    (
        "videoloss_active.xml",
        "video_loss",
        "操场西侧",
        None,
        "hik-9027ca26de17f22dd0c688f6cab386ec",
    ),
    ("videoloss_heartbeat.xml", "heartbeat", None, None, "hik-3f8ad66874f6632d1edf90caaf509c68"),
    ("shelteralarm.xml", "tamper", "北围墙", None, "hik-c5039bdb206940123ef4107ed0113a52"),
    ("io_alarm.xml", "panic_button", None, None, "hik-f4f74e159ed64735d827ce9ccfc00fc1"),
    ("facesnap.xml", "face_unknown", "东门人脸抓拍", None, "hik-58bcbca7ad798332987b27e3cc51d58e"),
    (
        "face_blacklist.xml",
        "watchlist_match",
        "东门人脸抓拍",
        "BL-0042",
        "hik-06ffe8e090c302a6ed615e64b2814093",
    ),
    (
        "face_whitelist.json",
        "face_recognised",
        "东门人脸抓拍",
        "T-2019-0117",
        "hik-1289d757fffa456051eef24b2ef51a2b",
    ),
    (
        "anpr_plate.xml",
        "plate_recognised",
        "校门车道",
        "苏D12345",
        "hik-db2b8de3e1a9e3c00330a9db1a0a9fa7",
    ),
    (
        "anpr_no_plate.xml",
        "plate_unknown",
        "校门车道",
        None,
        "hik-774749cc05f042fe4d68a6660faadfdf",
    ),
    ("acs_door_forced.json", "door_forced", None, None, "hik-f67dfc92ce8005545216a86e4511a99d"),
    (
        "acs_auth_failed.json",
        "access_denied",
        None,
        "3106521984",
        "hik-8c102dfeff64f6008074dc627c8e4284",
    ),
    (
        "acs_face_passed.json",
        "face_recognised",
        None,
        "T-2019-0117",
        "hik-9dd22e5d2ac89eba1474df65c1ee45e0",
    ),
    ("acs_panic.json", "panic_button", None, None, "hik-b7c3f9151ceabe411e73d24672c8994e"),
    ("acs_door_closed.json", "heartbeat", None, None, "hik-1c163b236b8c2254df10850075278a34"),
]


@pytest.mark.parametrize("name,kind,zone,subject,event_id", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_recorded_notification_maps_to_its_event(name, kind, zone, subject, event_id):
    event = one(fixture(name), JSON if name.endswith(".json") else XML)
    assert event["type"] == kind
    assert event.get("zone") == zone
    assert event.get("subject") == subject
    assert event["event_id"] == event_id
    assert event["attributes"]["vendor"] == "hikvision"
    assert datetime.fromisoformat(event["occurred_at"]).tzinfo is not None


def test_every_fixture_is_covered():
    refused = {"entity_bomb.xml", "doctype_external.xml", "vmd_unsupported.xml"}
    names = {path.name for path in FIXTURES.iterdir()}
    assert names == {e[0] for e in EXPECTED} | refused


def test_attributes_keep_the_raw_hikvision_fields():
    line = one(fixture("linedetection.xml"))
    assert line["occurred_at"] == "2026-03-11T23:10:05+08:00"
    assert line["attributes"] == {
        "vendor": "hikvision",
        "event_type": "linedetection",
        "event_state": "active",
        "channel_id": "1",
        "channel_name": "北围墙",
        "active_post_count": "1",
        "region_ids": ["1"],
        "detection_target": "human",
    }
    acs = one(fixture("acs_auth_failed.json"), JSON)["attributes"]
    assert (acs["major"], acs["minor"], acs["minor_hex"], acs["serial_no"]) == (
        5,
        9,
        "0x9",
        "20512",
    )
    plate = one(fixture("anpr_plate.xml"))
    assert plate["confidence"] == 0.98
    assert plate["attributes"]["plate_list"] == "whiteList"
    assert one(fixture("io_alarm.xml"))["attributes"]["input_port"] == "2"


def test_names_and_id_numbers_never_leave_the_parser():
    for name in ("face_blacklist.xml", "face_whitelist.json", "acs_face_passed.json"):
        text = json.dumps(one(fixture(name), JSON if name.endswith("json") else XML))
        assert "王老师" not in text and "某某" not in text and "320411199001011234" not in text


# --- stable event ids ------------------------------------------------------------------------


def test_a_resent_notification_keeps_its_event_id():
    original = one(fixture("linedetection.xml"))
    resent = fixture("linedetection.xml").replace(
        b"<isDataRetransmission>false", b"<isDataRetransmission>true"
    )
    again = one(resent)
    assert again["event_id"] == original["event_id"]
    assert again["attributes"]["retransmitted"] is True
    # the same instant written in UTC is the same notification
    utc = fixture("linedetection.xml").replace(
        b"2026-03-11T23:10:05+08:00", b"2026-03-11T15:10:05Z"
    )
    assert one(utc)["event_id"] == original["event_id"]


@pytest.mark.parametrize(
    "old,new",
    [
        (b"<activePostCount>1<", b"<activePostCount>2<"),
        (b"<channelID>1<", b"<channelID>2<"),
        (b"23:10:05+08:00", b"23:10:06+08:00"),
        (b"<regionID>1<", b"<regionID>2<"),
    ],
)
def test_another_notification_gets_another_event_id(old, new):
    assert (
        one(fixture("linedetection.xml").replace(old, new))["event_id"]
        != one(fixture("linedetection.xml"))["event_id"]
    )


def test_access_control_records_are_told_apart_by_serial_number():
    record = json.loads(fixture("acs_auth_failed.json"))
    first = one(json.dumps(record).encode(), JSON)["event_id"]
    record["AccessControllerEvent"]["serialNo"] = 20513
    assert one(json.dumps(record).encode(), JSON)["event_id"] != first


# --- states, heartbeats and the mapping tables -----------------------------------------------


def test_inactive_videoloss_is_a_heartbeat_with_nothing_else():
    event = one(fixture("videoloss_heartbeat.xml"))
    assert event["type"] == "heartbeat"
    assert set(event) == {"event_id", "type", "occurred_at", "attributes"}
    assert event["attributes"]["event_state"] == "inactive"


def test_any_inactive_notification_is_a_heartbeat_not_an_alarm():
    ended = fixture("linedetection.xml").replace(b">active<", b">inactive<")
    assert one(ended)["type"] == "heartbeat"
    motion_ended = fixture("vmd_unsupported.xml").replace(b">active<", b">inactive<")
    assert one(motion_ended)["type"] == "heartbeat"


@pytest.mark.parametrize(
    "event_type,expected",
    [
        ("peopleGathering", "crowd_gathering"),
        ("fastMoving", "running"),
        ("tamperdetection", "tamper"),
        ("LineDetection", "line_crossing"),
        ("facedetection", "face_unknown"),
        ("faceMatch", "face_recognised"),
        ("blackListFaceContrast", "watchlist_match"),
    ],
)
def test_event_type_aliases(event_type, expected):
    body = fixture("shelteralarm.xml").replace(b"shelteralarm<", event_type.encode() + b"<", 1)
    assert one(body)["type"] == expected


def test_plates_on_the_block_list_and_unlisted_plates():
    listed = fixture("anpr_plate.xml")
    blocked = one(listed.replace(b">whiteList<", b">blackList<"))
    assert (blocked["type"], blocked["subject"]) == ("watchlist_match", "苏D12345")
    unlisted = one(listed.replace(b">whiteList<", b">otherList<"))
    assert (unlisted["type"], unlisted["subject"]) == ("plate_unknown", "苏D12345")


def test_a_failed_face_comparison_names_nobody():
    failed = fixture("face_blacklist.xml").replace(b">blackFD<", b">staticFD<")
    failed = failed.replace(b">success<", b">failed<")
    event = one(failed)
    assert event["type"] == "face_unknown" and "subject" not in event


@pytest.mark.parametrize(
    "major,minor,expected",
    [
        (5, 0x1C, "door_held_open"),
        (5, 0x4C, "access_denied"),
        (5, 0x71, "watchlist_match"),
        (5, 0x87, "door_forced"),
        (1, 0x404, "tamper"),
        (1, 0x40A, "panic_button"),
        (1, 0x400, "panic_button"),
        (2, 0x27, "heartbeat"),  # network broken: housekeeping
        (3, 0x70, "heartbeat"),  # remote login
    ],
)
def test_access_control_major_and_minor_types(major, minor, expected):
    record = json.loads(fixture("acs_door_forced.json"))
    record["AccessControllerEvent"].update(majorEventType=major, subEventType=minor)
    assert one(json.dumps(record).encode(), JSON)["type"] == expected


def test_every_mapped_access_control_type_is_a_device_event_type():
    mapped = set(hikvision.ACS_TYPES.values()) | set(hikvision.SIMPLE_TYPES.values())
    assert mapped <= DEVICE_EVENT_TYPES
    assert not set(hikvision.ACS_TYPES) & hikvision.ACS_ROUTINE


def test_a_naive_time_is_read_as_beijing_time():
    naive = fixture("linedetection.xml").replace(b"23:10:05+08:00", b"23:10:05")
    assert one(naive)["occurred_at"] == "2026-03-11T23:10:05+08:00"


# --- multipart as cameras, ANPR cameras and access controllers post it -----------------------


def test_a_camera_multipart_carries_the_xml_and_its_picture():
    picture = jpeg()
    body = multipart(
        part('form-data; name="linedetection"', fixture("linedetection.xml"), XML),
        part(
            'form-data; name="linedetectionImage"; filename="linedetectionImage.jpg"',
            picture,
            "image/jpeg",
        ),
    )
    event = one(body, FORM)
    assert event["type"] == "line_crossing"
    assert event["picture"] == picture
    assert event["event_id"] == one(fixture("linedetection.xml"))["event_id"]


def test_an_anpr_multipart_attaches_the_scene_not_the_plate_crop():
    crop, scene = jpeg(16, 8, "white"), jpeg(64, 48, "blue")
    body = multipart(
        part(
            'form-data; name="anpr.xml"; filename="anpr.xml"', fixture("anpr_plate.xml"), "text/xml"
        ),
        part(
            'form-data; name="licensePlatePicture.jpg"; filename="licensePlatePicture.jpg"',
            crop,
            "image/jpeg",
        ),
        part(
            'form-data; name="detectionPicture.jpg"; filename="detectionPicture.jpg"',
            scene,
            "image/jpeg",
        ),
    )
    event = one(body, 'multipart/form-data; boundary="MIME_boundary"')
    assert (event["type"], event["subject"], event["picture"]) == (
        "plate_recognised",
        "苏D12345",
        scene,
    )


def test_an_access_controller_event_log_part_without_a_content_type():
    picture = jpeg()
    body = multipart(
        part('form-data; name="event_log"', fixture("acs_auth_failed.json"), None),
        part('form-data; name="Picture"; filename="Picture.jpg"', picture, "image/jpeg"),
    )
    event = one(body, FORM)
    assert (event["type"], event["subject"], event["picture"]) == (
        "access_denied",
        "3106521984",
        picture,
    )


def test_parts_without_lengths_and_with_bare_line_feeds():
    picture = jpeg()
    body = (
        f'--{BOUNDARY}\nContent-Disposition: form-data; name="fielddetection"\n'
        "Content-Type: application/xml\n\n"
    ).encode()
    body += fixture("fielddetection_hikvision_ns.xml") + f"\n--{BOUNDARY}\n".encode()
    body += (
        b'Content-Disposition: form-data; name="fielddetectionImage"\nContent-Type: image/jpeg\n\n'
    )
    body += picture + f"\n--{BOUNDARY}--\n".encode()
    event = one(body, FORM)
    assert (event["type"], event["picture"]) == ("perimeter_intrusion", picture)


def test_a_heartbeat_never_carries_a_picture():
    body = multipart(
        part('form-data; name="videoloss"', fixture("videoloss_heartbeat.xml"), XML),
        part('form-data; name="image"; filename="image.jpg"', jpeg(), "image/jpeg"),
    )
    assert "picture" not in one(body, FORM)


# --- refused: dangerous, oversized, malformed ------------------------------------------------


def refused(body: bytes, content_type: str = XML) -> IsapiError:
    with pytest.raises(IsapiError) as caught:
        parse(body, content_type)
    return caught.value


def test_entities_and_doctypes_are_refused():
    for name in ("entity_bomb.xml", "doctype_external.xml"):
        error = refused(fixture(name))
        assert error.status == 400 and "DTD" in error.reason
        wrapped = multipart(part('form-data; name="linedetection"', fixture(name), XML))
        assert "DTD" in refused(wrapped, FORM).reason


def test_oversized_bodies_documents_and_pictures_are_413():
    huge = b" " * (hikvision.MAX_BODY_BYTES + 1)
    assert refused(huge).status == 413
    padded = fixture("linedetection.xml") + b" " * hikvision.MAX_DOCUMENT_BYTES
    assert refused(padded).status == 413
    big_picture = b"\xff\xd8\xff\xe0" + b"\0" * hikvision.MAX_PICTURE_BYTES
    body = multipart(
        part('form-data; name="linedetection"', fixture("linedetection.xml"), XML),
        part('form-data; name="linedetectionImage"', big_picture, "image/jpeg"),
    )
    error = refused(body, FORM)
    assert error.status == 413 and "picture" in error.reason


@pytest.mark.parametrize(
    "body,content_type,reason",
    [
        (b"", XML, "malformed"),
        (b"\x00\x01garbage", "application/octet-stream", "neither an XML nor a JSON"),
        (b"<EventNotificationAlert><eventType>", XML, "malformed"),
        (b'{"eventType": ', JSON, "malformed"),
        (b'{"channelID": 1}', JSON, "no eventType"),
        (b"[1, 2]", JSON, "no eventType"),
        (b"<ResponseStatus/>", XML, "not an EventNotificationAlert"),
        (b'<EventNotificationAlert xmlns="urn:evil"/>', XML, "namespace"),
        (b"<EventNotificationAlert/>", XML, "no eventType"),
        (b'<?xml version="1.0" encoding="nope"?><a/>', XML, "malformed"),
        (
            b"<EventNotificationAlert>" + b"<a>" * 40 + b"</a>" * 40 + b"</EventNotificationAlert>",
            XML,
            "deeply",
        ),
        (b"[" * 5000 + b"]" * 5000, JSON, "malformed"),
        (b'{"a":' * 30 + b"1" + b"}" * 30, JSON, "deeply"),
    ],
)
def test_garbage_is_refused_with_a_reason(body, content_type, reason):
    error = refused(body, content_type)
    assert error.status == 400 and reason in error.reason


@pytest.mark.parametrize(
    "old,new,reason",
    [
        (b"<eventType>linedetection</eventType>", b"", "no eventType"),
        (b"linedetection<", b"VMD<", "unsupported Hikvision eventType 'VMD'"),
        (b"<eventState>active", b"<eventState>sleepy", "neither active nor inactive"),
        (b"<dateTime>2026-03-11T23:10:05+08:00</dateTime>", b"", "no dateTime"),
        (b"2026-03-11T23:10:05+08:00", b"yesterday", "not an ISO 8601"),
        (b"2026-03-11T23:10:05+08:00", b"0001-01-01T00:00:00+08:00", "not an ISO 8601"),
        (b"2026-03-11T23:10:05+08:00", b"2026-03-14T23:10:05+08:00", "far in the future"),
    ],
)
def test_bad_fields_are_refused(old, new, reason):
    body = fixture("linedetection.xml").replace(old, new)
    assert reason in refused(body).reason


def test_unknown_access_control_codes_are_refused():
    record = json.loads(fixture("acs_door_forced.json"))
    record["AccessControllerEvent"]["subEventType"] = 0x7F
    assert "major 5 minor 0x7f" in refused(json.dumps(record).encode(), JSON).reason
    record["AccessControllerEvent"]["subEventType"] = "twenty"
    assert "integers" in refused(json.dumps(record).encode(), JSON).reason
    del record["AccessControllerEvent"]
    assert "without its AccessControllerEvent" in refused(json.dumps(record).encode(), JSON).reason


@pytest.mark.parametrize(
    "body,content_type,reason",
    [
        (b"--MIME_boundary--\r\n", FORM, "no parts"),
        (b"no boundary here", FORM, "does not occur"),
        (b"x", "multipart/form-data", "boundary of 1"),
        (
            part('form-data; name="linedetection"', fixture("linedetection.xml"), None)[:-300],
            FORM,
            "cut short",
        ),
        (
            multipart(part('form-data; name="x"', b"\x89PNG\r\n", "image/png")),
            FORM,
            "not a JPEG",
        ),
        (multipart(part('form-data; name="note"', b"hello", "text/plain")), FORM, "no Event"),
        (
            multipart(*[part(f'form-data; name="p{n}"', b"x", "text/plain") for n in range(17)]),
            FORM,
            "parts",
        ),
    ],
)
def test_broken_multipart_is_refused(body, content_type, reason):
    assert reason in refused(body, content_type).reason


def test_a_refused_part_refuses_the_whole_body():
    body = multipart(
        part('form-data; name="linedetection"', fixture("linedetection.xml"), XML),
        part('form-data; name="vmd"', fixture("vmd_unsupported.xml"), XML),
    )
    assert "VMD" in refused(body, FORM).reason


# --- fuzz: only IsapiError may escape --------------------------------------------------------

TAGS = [
    "EventNotificationAlert",
    "ipAddress",
    "channelID",
    "dynChannelID",
    "dateTime",
    "activePostCount",
    "eventType",
    "eventState",
    "channelName",
    "DetectionRegionList",
    "DetectionRegionEntry",
    "regionID",
    "detectionTarget",
    "ANPR",
    "licensePlate",
    "vehicleListName",
    "confidenceLevel",
    "AccessControllerEvent",
    "majorEventType",
    "subEventType",
    "serialNo",
    "cardNo",
    "employeeNoString",
    "faceLibType",
    "PID",
    "similarity",
    "UUID",
    "isDataRetransmission",
]
VALUES = [
    "linedetection",
    "fielddetection",
    "videoloss",
    "ANPR",
    "AccessControllerEvent",
    "faceContrast",
    "group",
    "IO",
    "active",
    "inactive",
    "2026-03-11T23:10:05+08:00",
    "2026-03-11T23:10:05",
    "9999-12-31T23:59:59-12:00",
    "1",
    "5",
    "75",
    "0x4b",
    "-1",
    "blackList",
    "blackFD",
    "无车牌",
    "苏D12345",
    "\ud800",
    "\x00",
    "",
    "human",
]
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _only_isapi_errors(body: bytes, content_type: str) -> None:
    """Refused with a reason, or events the core's own check takes without crashing."""
    try:
        events = parse(body, content_type)
    except IsapiError as error:
        assert error.reason and error.status in (400, 413)
        return
    for event in events:
        assert event["type"] in DEVICE_EVENT_TYPES
        with contextlib.suppress(EventRejected):
            parse_event(event, now=NOW)


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from([XML, JSON, FORM, "text/plain", ""]))
def test_fuzz_random_bytes(body, content_type):
    _only_isapi_errors(body, content_type)


@st.composite
def xmlish(draw) -> bytes:
    """Documents built from the real tag names and values, nested at random."""
    ns = draw(
        st.sampled_from(
            [
                "http://www.isapi.org/ver20/XMLSchema",
                "http://www.hikvision.com/ver10/XMLSchema",
                "",
                "urn:x",
            ]
        )
    )

    def element(depth: int) -> str:
        tag = draw(st.sampled_from(TAGS))
        if depth > 3 or draw(st.booleans()):
            text = draw(st.sampled_from(VALUES) | st.text(max_size=12))
            text = text.replace("&", "&amp;").replace("<", "&lt;")
            return f"<{tag}>{text}</{tag}>"
        children = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 4))))
        return f"<{tag}>{children}</{tag}>"

    children = "".join(element(1) for _ in range(draw(st.integers(0, 12))))
    xmlns = f' xmlns="{ns}"' if ns else ""
    doc = f"<EventNotificationAlert{xmlns}>{children}</EventNotificationAlert>"
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(doc)))
        doc = doc[:cut] + draw(st.sampled_from(["", "&x;", "<!DOCTYPE a>", "<", "]]>"])) + doc[cut:]
    return doc.encode("utf-8", "surrogatepass")


@FUZZ
@given(xmlish())
def test_fuzz_xml_from_real_tag_names(body):
    _only_isapi_errors(body, XML)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(VALUES),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(TAGS), inner, max_size=5)
    ),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(TAGS), json_values, max_size=12))
def test_fuzz_json_alerts(doc):
    _only_isapi_errors(json.dumps(doc).encode("utf-8", "surrogatepass"), JSON)


@st.composite
def random_multipart(draw) -> bytes:
    pieces = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["xml", "json", "jpeg", "junk"]))
        data = {
            "xml": lambda: fixture(draw(st.sampled_from(["linedetection.xml", "anpr_plate.xml"]))),
            "json": lambda: fixture(
                draw(st.sampled_from(["acs_panic.json", "face_whitelist.json"]))
            ),
            "jpeg": lambda: b"\xff\xd8\xff" + draw(st.binary(max_size=64)),
            "junk": lambda: draw(st.binary(max_size=64)),
        }[kind]()
        content_type = draw(st.sampled_from([None, XML, JSON, "image/jpeg", "text/plain"]))
        eol = draw(st.sampled_from([b"\r\n", b"\n"]))
        piece = part(f'form-data; name="{kind}"', data, content_type, eol=eol)
        if draw(st.booleans()):
            cut = draw(st.integers(0, len(piece)))
            piece = piece[:cut] + draw(st.binary(max_size=8)) + piece[cut:]
        pieces.append(piece)
    return multipart(*pieces) if draw(st.booleans()) else b"".join(pieces)


@FUZZ
@given(random_multipart(), st.sampled_from([FORM, "multipart/form-data; boundary=other", XML]))
def test_fuzz_multipart(body, content_type):
    _only_isapi_errors(body, content_type)


JSON_FIXTURES = sorted(p.name for p in FIXTURES.glob("*.json"))
XML_FIXTURES = sorted(p.name for p in FIXTURES.glob("*.xml"))


@FUZZ
@given(st.sampled_from(JSON_FIXTURES), st.data())
def test_fuzz_real_json_alerts_with_fields_replaced(name, data):
    """Real alerts with fields, nested ones too, set to values of the wrong kind."""
    doc = json.loads(fixture(name))
    for _ in range(data.draw(st.integers(1, 4))):
        target = doc
        if isinstance(doc.get("AccessControllerEvent"), dict) and data.draw(st.booleans()):
            target = doc["AccessControllerEvent"]
        key = data.draw(st.sampled_from(sorted(target) + TAGS))
        target[key] = data.draw(json_values)
    _only_isapi_errors(json.dumps(doc).encode("utf-8", "surrogatepass"), JSON)


@FUZZ
@given(st.sampled_from(XML_FIXTURES), st.data())
def test_fuzz_real_xml_alerts_with_texts_replaced(name, data):
    text = fixture(name).decode()
    leaves = list(re.finditer(r">([^<>]*)</", text))
    for _ in range(data.draw(st.integers(1, 4))):
        leaf = data.draw(st.sampled_from(leaves))
        value = data.draw(st.sampled_from(VALUES) | st.text(max_size=16))
        value = value.replace("&", "&amp;").replace("<", "&lt;")
        text = text[: leaf.start(1)] + value + text[leaf.end(1) :]
        leaves = list(re.finditer(r">([^<>]*)</", text))
    _only_isapi_errors(text.encode("utf-8", "surrogatepass"), XML)


def test_the_fuzz_window_is_after_the_fixtures():
    # The fixtures are dated shortly before NOW: the clock check must not refuse them.
    assert NOW - timedelta(hours=24) < datetime(2026, 3, 11, 7, 30, tzinfo=DEVICE_TZ) < NOW

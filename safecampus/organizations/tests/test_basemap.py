"""The offline base map (#14): the shipped demo GeoJSON is a valid FeatureCollection whose
district outline holds every demo school, its lines and places carry a Chinese and an
English name, and DISTRICT_BASEMAP decides what every page tells app.js to draw."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from safecampus.organizations import demo

SHIPPED = Path(settings.BASE_DIR) / "static" / "geo" / "demo-district.geojson"
Ring = list[list[float]]


def _inside(ring: Ring, lng: float, lat: float) -> bool:
    """Even-odd ray casting: enough for a hand-drawn outline without holes."""
    crossings = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            crossings = not crossings
    return crossings


@pytest.fixture(scope="module")
def geojson() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_base_map_is_a_small_feature_collection(geojson):
    assert SHIPPED.stat().st_size < 30_000
    assert geojson["type"] == "FeatureCollection"
    assert "Fictional" in geojson["description"]
    kinds = [f["properties"]["kind"] for f in geojson["features"]]
    assert kinds.count("district") == 1
    assert kinds.count("road") >= 5 and kinds.count("river") >= 1
    assert kinds.count("place") == len(demo.TOWNS)
    shapes = {"district": "Polygon", "road": "LineString", "river": "LineString"}
    for feature in geojson["features"]:
        props = feature["properties"]
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == shapes.get(props["kind"], "Point")
        assert props["name"] and props["name_en"].isascii()


def test_the_outline_holds_every_demo_school(geojson):
    (outline,) = [f for f in geojson["features"] if f["properties"]["kind"] == "district"]
    ring = outline["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    schools = demo.schools(600, random.Random(20261128))  # the seed's own, and ten times more
    outside = [s.name for s in schools if not _inside(ring, s.longitude, s.latitude)]
    assert outside == []
    # Any seed: a school lies within ±0.018° lat / ±0.02° lng of its town's centre.
    corners = [
        (lng + dx, lat + dy)
        for _, lat, lng, *_ in demo.TOWNS
        for dx in (-0.02, 0.02)
        for dy in (-0.018, 0.018)
    ]
    assert [c for c in corners if not _inside(ring, *c)] == []
    assert not _inside(ring, 119.5, 31.9)  # the test can fail


@pytest.mark.django_db
def test_every_page_names_the_configured_base_map(settings):
    client = Client()
    page = client.get("/report/").content.decode()
    assert '<meta name="sc-asset-basemap" content="/static/geo/demo-district.geojson">' in page
    assert client.get("/static/geo/demo-district.geojson").status_code == 200

    settings.DISTRICT_BASEMAP = "/district/own-map.geojson"
    assert (
        'name="sc-asset-basemap" content="/district/own-map.geojson"'
        in client.get("/report/").content.decode()
    )
    settings.DISTRICT_BASEMAP = ""
    assert 'name="sc-asset-basemap" content=""' in client.get("/report/").content.decode()

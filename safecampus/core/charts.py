"""ECharts options shared by the pages (JSON only: the strict CSP allows no functions)."""

from __future__ import annotations

from typing import Any


def donut(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A ring of ``{"name", "value"}`` slices with the legend below it.

    Labels around the ring were cut off on a phone and in the home page's narrow column
    ("初级…", "九…"), so each slice is named in the legend, with its count, and the ring
    keeps the middle of the box; hovering a slice still shows its share.
    """
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0, "left": "center", "icon": "circle", "itemWidth": 10},
        "series": [
            {
                "type": "pie",
                "radius": ["42%", "66%"],
                "center": ["50%", "42%"],
                "label": {"show": False},
                "labelLine": {"show": False},
                "data": [{**item, "name": f"{item['name']} {item['value']}"} for item in items],
            }
        ],
    }

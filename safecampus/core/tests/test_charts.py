"""The ring charts name their slices in the legend, with counts, instead of labels around
the ring that a narrow column cut to "初级…" and "九…"."""

from safecampus.core.charts import donut


def test_donut_names_each_slice_with_its_count_in_the_legend():
    options = donut([{"name": "九年一贯制学校", "value": 160}, {"name": "小学", "value": 340}])
    [series] = options["series"]
    assert [d["name"] for d in series["data"]] == ["九年一贯制学校 160", "小学 340"]
    assert [d["value"] for d in series["data"]] == [160, 340]
    assert series["label"] == {"show": False} and "legend" in options

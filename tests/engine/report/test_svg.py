"""The inline SVG charts of the HTML reports (autograder/engine/report/svg.py)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from autograder.engine.report.svg import bars, score_histogram

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """The chart as XML: a parse error fails the test (the report would show a broken image)."""
    return ET.fromstring(markup)


def histogram(scores, max_score, **kw):
    """(bar heights, bin labels, the count written above each non-empty bar, the last label) of a histogram."""
    root = parse(score_histogram(scores, max_score, **kw))
    assert root.tag == f"{SVG}svg"
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    texts = list(root.iter(f"{SVG}text"))
    on_axis = [t for t in texts if t.get("y") == "164"]  # 10 + h + 14: the labels under the axis
    above = [t.text for t in texts if t.get("y") != "164"]
    return heights, [t.text for t in on_axis[:-1]], above, on_axis[-1].text


def test_histogram_bins_are_whole_points_and_the_tallest_bar_fills_the_chart():
    """54 points: nine bins 0-6, ..., 48-54, labelled with whole numbers; the fullest bin is the full height
    and the others are in proportion."""
    heights, labels, counts, last = histogram([1, 2, 3, 7, 50], 54)
    assert labels == [str(6 * i) for i in range(9)] and last == "54"
    assert heights == pytest.approx([140.0, 140 / 3, 0, 0, 0, 0, 0, 0, 140 / 3], abs=0.05)  # drawn to 0.1
    assert counts == ["3", "1", "1"]  # written above the bars that have any


@pytest.mark.parametrize("score, bin_", [(54, 8), (60, 8), (0, 0), (5.999, 0), (6, 1)])
def test_a_score_at_or_over_the_maximum_is_in_the_last_bin_and_a_bin_edge_in_the_upper_one(score, bin_):
    """Full marks (or more: a bonus) count in the last bin, never past the chart; 6 of 54 opens the second bin."""
    heights, _, _, _ = histogram([score], 54)
    assert len(heights) == 9 and [i for i, h in enumerate(heights) if h > 0] == [bin_]


def test_no_scores_and_no_points_still_give_a_well_formed_chart():
    """An empty class and a zero-point assignment draw empty (or one) bars, and never divide by zero."""
    heights, labels, counts, last = histogram([], 54)
    assert heights == [0.0] * 9 and counts == [] and last == "54"
    heights, labels, counts, last = histogram([0.0, 0.0], 0)
    assert heights == [140.0] and labels == ["0"] and counts == ["2"] and last == "0"


def test_a_fractional_maximum_keeps_whole_number_bins_and_says_the_maximum():
    """2.5 points: bins 0, 1, 2 (each one point wide), and the axis ends at 2.5."""
    heights, labels, _, last = histogram([2.5, 0.4], 2.5)
    assert labels == ["0", "1", "2"] and last == "2.5"
    assert heights == [140.0, 0.0, 140.0]


def test_only_numbers_reach_the_chart_text():
    """Every text node of the histogram is a number: nothing a student wrote (a name, a file) is drawn,
    so nothing in the chart needs escaping."""
    root = parse(score_histogram([3.5, 12.25, 40], 54))
    for node in root.iter(f"{SVG}text"):
        float(node.text)  # raises for anything but a number


def test_bars_are_scaled_to_the_peak_and_clipped_at_the_top():
    """Small-multiple bars: the largest count is the full height (or ``top`` is), counts over ``top`` are
    clipped to the frame, empty bins draw nothing, and the frame is always drawn."""
    markup = f'<svg xmlns="http://www.w3.org/2000/svg">{bars([0, 4, 2, 9], 10, 20, 40, 30, "#123456", top=4)}</svg>'
    rects = list(parse(markup).iter(f"{SVG}rect"))
    *filled, frame = rects
    assert [float(r.get("height")) for r in filled] == [30.0, 15.0, 30.0]  # 4/4, 2/4, 9/4 clipped to 1
    assert all(float(r.get("y")) + float(r.get("height")) == pytest.approx(50.0) for r in filled)  # on the base line
    assert all(r.get("fill") == "#123456" for r in filled)
    assert (frame.get("fill"), frame.get("stroke"), frame.get("width"), frame.get("height")) == ("none", "#bbb", "40.0", "30.0")
    # Without ``top`` the peak is the largest count; all-zero counts draw the frame only.
    auto = list(parse(f'<svg xmlns="http://www.w3.org/2000/svg">{bars([1, 2], 0, 0, 10, 10, "#000")}</svg>').iter(f"{SVG}rect"))
    assert [float(r.get("height")) for r in auto[:-1]] == [5.0, 10.0]
    empty = list(parse(f'<svg xmlns="http://www.w3.org/2000/svg">{bars([0, 0], 0, 0, 10, 10, "#000")}</svg>').iter(f"{SVG}rect"))
    assert len(empty) == 1


def test_a_negative_score_counts_in_the_first_bin():
    heights, _, _, _ = histogram([-1.0], 54)
    assert heights[0] > 0 and heights[-1] == 0

"""Painted lines are freed by refcounting, not left to the cyclic collector (ui/strip_cycles.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from sms_tui.ui import strip_cycles


def _strip() -> Strip:
    return Strip([Segment("hello ", Style(bold=True)), Segment("world", Style(italic=True))], 11)


@pytest.fixture
def collector_off() -> Iterator[None]:
    strip_cycles.install()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize("cuts", [[11], [5, 11], [3], [11, 20], [20], [], [0, 11], [4, 8, 11]])
def test_divide_answers_what_textual_answers(cuts: list[int]) -> None:
    strip_cycles.install()
    ours = _strip().divide(cuts)
    textuals = strip_cycles._textual_divide(_strip(), cuts)
    assert [s.text for s in ours] == [s.text for s in textuals]
    assert [list(s) for s in ours] == [list(s) for s in textuals]
    assert [s.cell_length for s in ours] == [s.cell_length for s in textuals]


def test_a_line_cut_only_at_its_end_is_itself() -> None:
    strip_cycles.install()
    strip = _strip()
    assert strip.divide([11])[0] is strip
    assert strip.divide(iter([11, 12]))[0] is strip  # cuts past the end are dropped, as Textual does


@pytest.mark.usefixtures("collector_off")
def test_a_line_the_compositor_divided_at_its_end_needs_no_cyclic_collection() -> None:
    gc.collect()
    for _ in range(50):
        strip = _strip()
        strip.divide([11])  # what the compositor does to a line nothing overlaps
        del strip
    assert gc.collect() == 0  # Textual's own divide leaves each strip in a cycle with its cache


@pytest.mark.usefixtures("collector_off")
def test_a_line_cut_in_pieces_keeps_textuals_cache() -> None:
    gc.collect()
    strip = _strip()
    first = strip.divide([5, 11])
    assert strip.divide([5, 11]) is first  # cached as before
    del strip, first
    assert gc.collect() == 0

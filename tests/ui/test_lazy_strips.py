"""Strips build their caches on first use, with Textual's sizes and answers (ui/lazy_strips.py)."""

from __future__ import annotations

import gc

from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.strip import Strip

from sms_tui.ui import lazy_strips, strip_cycles

_SEGMENTS = [Segment("hello ", Style(bold=True, color="red")), Segment("world", Style(italic=True))]


def _textual_strip() -> Strip:
    strip = Strip.__new__(Strip)
    lazy_strips._textual_init(strip, _SEGMENTS, 11)
    return strip


def test_the_caches_are_textuals_slots_with_textuals_sizes() -> None:
    textual = _textual_strip()
    made = {
        name: getattr(textual, name)._maxsize
        for name in Strip.__slots__
        if isinstance(getattr(textual, name, None), FIFOCache)
    }
    assert made == lazy_strips.CACHES


def test_a_new_strip_has_no_cache_until_one_is_used() -> None:
    lazy_strips.install()
    strip = Strip(_SEGMENTS, 11)
    assert not any(name in dir(strip) and _is_set(strip, name) for name in lazy_strips.CACHES)
    first = strip.crop(0, 5)
    assert _is_set(strip, "_crop_cache") and strip.crop(0, 5) is first  # cached as Textual does
    assert not _is_set(strip, "_divide_cache")
    try:
        strip.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("an unknown attribute must still raise")


def _is_set(strip: Strip, name: str) -> bool:
    slot = getattr(Strip, name)  # the slot's descriptor: reads the slot without __getattr__
    try:
        slot.__get__(strip, Strip)
    except AttributeError:
        return False
    return True


def test_answers_are_textuals() -> None:
    lazy_strips.install()
    strip_cycles.install()
    ours, textual = Strip(_SEGMENTS, 11), _textual_strip()
    flt = ANSIToTruecolor(__import__("rich.terminal_theme").terminal_theme.DEFAULT_TERMINAL_THEME)
    cases = [
        lambda s: s.crop(2, 9),
        lambda s: s.divide([3, 8, 11]),
        lambda s: s.apply_style(Style(underline=True)),
        lambda s: s.apply_filter(flt, Color(10, 20, 30)),
        lambda s: s.adjust_cell_length(15),
        lambda s: s.crop_extend(1, 14, None),
        lambda s: s.apply_offsets(3, 4),
        lambda s: s.text,
        lambda s: s.cell_length,
    ]
    for case in cases:
        a, b = case(ours), case(textual)
        if isinstance(a, Strip):
            assert list(a) == list(b) and a.cell_length == b.cell_length
        elif isinstance(a, list):
            assert [list(x) for x in a] == [list(x) for x in b]
        else:
            assert a == b


def test_a_strip_is_fewer_objects_for_the_collector() -> None:
    lazy_strips.install()
    gc.collect()
    before = len(gc.get_objects())
    strips = [Strip(_SEGMENTS, 11) for _ in range(1000)]
    made = len(gc.get_objects()) - before
    assert made < 3 * len(strips)  # a strip and its segment list; Textual's adds seven caches (9 each)

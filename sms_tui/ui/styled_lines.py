"""Lines styled once per content, not once per place: a `StylesCache` for widgets whose lines are
cached strips (the lead list's rows, the conversation's bubbles).

Textual's `StylesCache` keeps each styled line by its y. A list that scrolls by a row, or a
column that shows another lead, refreshes every line, so every line goes through the styles
pipeline again (background, padding, tint, opacity: ~60-100 us a line) and the line filter and
the compositor then get new strips whose own caches are empty. Here, the lines a widget renders
are mostly the same `Strip` objects as before (the lead list keeps its rows' strips by what they
show, the conversation keeps each bubble's), so the styled line is kept by the content strip:
the same content strip, under the same styles, background, size and theme, answers the same
styled strip (and its filtered and cropped strips come from that strip's own caches).

Only lines that depend on nothing but their content are kept: no top or bottom border, padding
or outline (those lines depend on y), and y inside the content. Anything else, and any change
of the inputs (the widget's styles' version, its size, background, opacity, theme, border
titles) clears the memo and renders as Textual does. tests/ui/test_styled_lines.py compares the
answers with Textual's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.terminal_theme import DEFAULT_TERMINAL_THEME, TerminalTheme
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.css.styles import StylesBase
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.widget import Widget

#: Styled lines kept (a few screens of rows or bubbles).
KEPT = 512


class ContentStylesCache(StylesCache):
    """Textual's styles cache, answering a content strip it styled before without styling it again."""

    def __init__(self) -> None:
        super().__init__()
        self._styled: dict[int, tuple[Strip, Strip]] = {}
        self._inputs: tuple[object, ...] | None = None
        self._plain = False  # no line depends on its y (see the module's docstring)
        # What the last paint styled with (for `prestyle`).
        self._last: tuple[Any, ...] | None = None
        self._last_rest: tuple[Any, ...] = ()
        # (Textual's `clear()`, on every whole refresh, forgets lines by place; these are kept by
        # content, which a refresh does not change: a strip is immutable.)

    def render(
        self,
        styles: StylesBase,
        size: Size,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        filters: Sequence[LineFilter],
        border_title: Any,
        border_subtitle: Any,
        content_size: Size | None = None,
        padding: Spacing | None = None,
        crop: Region | None = None,
        opacity: float = 1.0,
        ansi_theme: TerminalTheme = DEFAULT_TERMINAL_THEME,
        native_ansi: bool = False,
    ) -> list[Strip]:
        version = getattr(styles, "_cache_key", None)  # a widget's RenderStyles: its rules' version
        inputs = (
            version,
            size,
            content_size,
            padding,
            base_background,
            background,
            border_title,
            border_subtitle,
            opacity,
            id(ansi_theme),
            native_ansi,
        )
        self._last = (styles, size, content_size, padding, base_background, background, filters)
        self._last_rest = (border_title, border_subtitle, opacity, ansi_theme, native_ansi)
        if inputs != self._inputs:
            self._styled.clear()
            self._inputs = inputs
            gutter = styles.gutter
            outline = styles.outline
            y_free = not (gutter.top or gutter.bottom or outline.top[0] or outline.bottom[0])
            self._plain = version is not None and y_free
        return super().render(
            styles,
            size,
            base_background,
            background,
            render_content_line,
            filters,
            border_title,
            border_subtitle,
            content_size=content_size,
            padding=padding,
            crop=crop,
            opacity=opacity,
            ansi_theme=ansi_theme,
            native_ansi=native_ansi,
        )

    def render_line(
        self,
        styles: StylesBase,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        border_title: Any,
        border_subtitle: Any,
        opacity: float,
        ansi_theme: TerminalTheme,
        native_ansi: bool,
    ) -> Strip:
        textuals = super().render_line
        before = (styles, y, size, content_size, padding, base_background, background)
        after = (border_title, border_subtitle, opacity, ansi_theme, native_ansi)
        if not self._plain or y >= content_size.height:
            return textuals(*before, render_content_line, *after)
        content = render_content_line(y)
        kept = self._styled.get(id(content))
        if kept is not None and kept[0] is content:
            return kept[1]
        styled = textuals(*before, lambda _y: content, *after)
        if len(self._styled) >= KEPT:
            del self._styled[next(iter(self._styled))]
        self._styled[id(content)] = (content, styled)
        return styled

    def prestyle(self, contents: Sequence[Strip]) -> None:
        """Style (and filter) `contents` now, as the last paint would have, so a paint that shows
        them finds them styled: for lines about to be shown (a conversation loaded ahead), styled
        after a key's frame instead of in the next one. Nothing if no paint came yet or lines
        depend on their y."""
        if self._last is None or not self._plain:
            return
        styles, size, content_size, padding, base_background, background, filters = self._last
        for content in contents:
            kept = self._styled.get(id(content))
            if kept is not None and kept[0] is content:
                continue
            styled = self.render_line(
                styles,
                0,
                size,
                content_size,
                padding,
                base_background,
                background,
                lambda _y, content=content: content,  # type: ignore[misc]
                *self._last_rest,
            )
            for line_filter in filters:
                styled = styled.apply_filter(line_filter, background)  # kept in the strip's cache


def style_by_content(widget: Widget) -> None:
    """Give `widget` the content-keyed styles cache (before it first paints)."""
    widget._styles_cache = ContentStylesCache()

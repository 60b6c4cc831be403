"""Pictures in the terminal: terminal graphics where the terminal has them, half-blocks elsewhere.

`textual-image` draws real pixels with the kitty graphics protocol or sixels, but it must ask the
terminal what it supports BEFORE Textual starts reading the keyboard (its probe writes an escape
sequence and reads the answer from stdin). So `prepare` runs once, before the app starts, and
only where the terminal's environment says graphics are plausible (kitty, WezTerm, iTerm2,
Ghostty, foot, Konsole, mlterm): elsewhere (tmux, a plain xterm, a pipe, the tests) nothing is
probed, start-up costs nothing, and pictures are drawn as coloured half-blocks
(`ui.media.half_blocks`, deterministic). `SMS_TUI_GRAPHICS=off` turns the probe off.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Literal

from textual.widget import Widget
from textual.widgets import Static

from sms_tui.ui.media import MediaError, half_blocks

Mode = Literal["graphics", "halfblock"]

#: Terminals that may draw pixels (TERM, TERM_PROGRAM values, or a variable they set).
_GRAPHICS_TERMS = frozenset({"xterm-kitty", "xterm-ghostty", "foot", "foot-extra", "mlterm", "wezterm"})
_GRAPHICS_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "ghostty"})
_GRAPHICS_VARIABLES = ("KITTY_WINDOW_ID", "KONSOLE_VERSION", "WEZTERM_PANE")

_mode: Mode = "halfblock"


def plausible(env: Mapping[str, str]) -> bool:
    """Whether the terminal's environment suggests it can draw pixels (tmux hides them: no)."""
    if env.get("SMS_TUI_GRAPHICS", "").lower() in ("off", "0", "no", "false"):
        return False
    if env.get("TMUX") or env.get("TERM", "").startswith(("screen", "tmux")):
        return False
    return (
        env.get("TERM", "") in _GRAPHICS_TERMS
        or env.get("TERM_PROGRAM", "") in _GRAPHICS_PROGRAMS
        or any(env.get(name) for name in _GRAPHICS_VARIABLES)
    )


def prepare(env: Mapping[str, str], is_tty: bool) -> Mode:
    """Before the app starts: probe the terminal for graphics where it may have them."""
    global _mode
    if not is_tty or not plausible(env):
        _mode = "halfblock"
        return _mode
    try:
        import textual_image.widget  # noqa: F401 - importing probes the terminal (sixel, kitty)
        from textual_image.renderable import HalfcellImage, Image, UnicodeImage
    except Exception:  # a terminal that answers oddly: half-blocks still work
        _mode = "halfblock"
        return _mode
    _mode = "halfblock" if Image in (HalfcellImage, UnicodeImage) else "graphics"
    return _mode


def mode() -> Mode:
    return _mode


def picture(data: bytes, width: int, rows: int) -> Widget:
    """A widget showing the picture in `data`: pixels where the terminal draws them, else half-blocks
    at most `width` cells wide and `rows` lines high. MediaError when `data` is not a picture."""
    if _mode == "graphics":
        from PIL import Image as PILImage
        from textual_image.widget import Image

        try:
            image = PILImage.open(io.BytesIO(data))
            image.load()
        except Exception as exc:
            raise MediaError(f"Cannot show this picture ({exc.__class__.__name__}).") from None
        widget = Image(image, classes="picture")
        widget.styles.width = width
        widget.styles.height = rows
        return widget
    return Static(half_blocks(data, width, rows), classes="picture")

"""A Footer that recomposes only when its keys change, not when one is merely (un)available.

Textual's `Footer` rebuilds all its keys (unmount, compose, mount, two layouts: ~40 ms of the UI
loop on a 2-core machine) whenever the screen's bindings might have changed. In the inbox that is
every other lead: retry and cancel become available or not with the lead's last message. When the
same keys are shown and only their availability differs, this footer dims or undims them in
place (a repaint of the keys concerned); another set of keys recomposes, a moment later (after
what the key that changed them started, e.g. a search's rows, has painted).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

#: (key, description, action) of each key shown, in order; and whether each is available.
_Keys = tuple[tuple[str, str, str], ...]

#: Seconds between a change of keys and the footer's rebuild (it costs ~40 ms of the UI loop).
REBUILD_DELAY = 0.15


class SteadyFooter(Footer):
    """`Footer` that updates availability in place."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: _Keys | None = None
        self._later: Timer | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    def _wanted(self) -> tuple[_Keys, tuple[bool, ...]]:
        """What `compose` would show: one key per action in order, and which are available."""
        active = self.screen.active_bindings
        first: dict[str, tuple[tuple[str, str, str], bool]] = {}
        for _node, binding, available, _tooltip in active.values():
            if binding.show and binding.action not in first:
                first[binding.action] = ((binding.key, binding.description, binding.action), available)
        keys = [key for key, _ in first.values()]
        enabled = [available for _, available in first.values()]
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            keys.append((palette.binding.key, palette.binding.description, palette.binding.action))
            enabled.append(palette.enabled)
        return tuple(keys), tuple(enabled)

    async def _update_keys(self) -> None:
        if not self.is_attached:
            return
        keys, enabled = self._wanted()
        shown = list(self.query(FooterKey))
        if keys == self._shown and len(shown) == len(enabled):
            if self._later is not None:  # the keys came back before their rebuild (the search
                self._later.stop()  # line opened and closed): it would rebuild the same keys
                self._later = None
            for widget, available in zip(shown, enabled, strict=True):
                if widget._disabled == available:
                    widget._disabled = not available
                    widget.set_class(not available, "-disabled")
            return
        if self._shown is None:  # the first keys: at once
            self._shown = keys
            await self.recompose()
            return
        # Another set of keys (focus moved: the search line closed, a dialog opened): rebuilt a
        # moment later, so the work the key started (a search's rows) paints first. Into a text
        # field (the search line opened): at once, with the field's own frame; later it would
        # land on the keys typed next, or on the search Enter starts.
        if self._later is not None:
            self._later.stop()
            self._later = None
        if isinstance(self.screen.focused, Input):
            self._shown = keys
            await self.recompose()
            return
        self._later = self.set_timer(REBUILD_DELAY, self._rebuild)

    async def _rebuild(self) -> None:
        self._later = None
        if self.is_attached:
            self._shown = self._wanted()[0]
            await self.recompose()

"""The Textual app: services in, one screen out (STYLE.md §2.1: a thin App).

Everything the app depends on is injected so tests can drive it: the store, a factory for the
sync engine, the clock (`now`), the undo delay and the poll interval, the keymap and the rep's
zone. `sms_tui.commands.app` builds the real ones.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from rich.console import RenderableType
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from sms_tui import dataclass_cache
from sms_tui.store import Store
from sms_tui.ui import css_cache, panes
from sms_tui.ui.frame_timer import install as paint_when_due
from sms_tui.ui.frame_writer import install as write_frames_at_once
from sms_tui.ui.idle_gc import CHECK, IdleCollector
from sms_tui.ui.lazy_strips import install as lazy_strip_caches
from sms_tui.ui.loaders import rep_zone
from sms_tui.ui.media import Media
from sms_tui.ui.memory import release_free_memory
from sms_tui.ui.notice import TerminalNotices
from sms_tui.ui.screens.inbox import InboxScreen
from sms_tui.ui.screens.quit_dialog import plural
from sms_tui.ui.scrollbar_memo import install as memoize_scrollbars
from sms_tui.ui.sending import still_pending
from sms_tui.ui.strip_cycles import install as free_strips_by_refcount
from sms_tui.ui.sync_worker import EngineFactory, SyncRunner
from sms_tui.ui.text import Safe, one_line
from sms_tui.ui.widgets.lead_pages import HeadRead


def utc_now() -> datetime:
    return datetime.now(UTC)


def binding_ids() -> set[str]:
    """Every binding id of the app's own widgets (what the `[keys]` config table can remap)."""
    from textual.binding import Binding as _Binding

    from sms_tui.ui.widgets.composer import Composer
    from sms_tui.ui.widgets.lead_list import LeadList
    from sms_tui.ui.widgets.search_bar import SearchBar

    ids: set[str] = set()
    for owner in (SmsApp, InboxScreen, LeadList, Composer, SearchBar):
        ids.update(b.id for b in owner.BINDINGS if isinstance(b, _Binding) and b.id)
    return ids


def resolve_keymap(keys: dict[str, str], ids: set[str]) -> dict[str, str]:
    """Config names to binding ids: `inbox.done` as is, or the short `done` / `send` when unique."""
    out: dict[str, str] = {}
    for name, key in keys.items():
        if name in ids:
            out[name] = key
            continue
        matches = [i for i in ids if i.split(".", 1)[-1] == name]
        if len(matches) == 1:
            out[matches[0]] = key
        else:
            out[name] = key  # unknown: harmless, Textual ignores ids nobody has
    return out


class SmsApp(App[None]):
    """A keyboard-driven SMS inbox. Its screens see it as `ui.services.AppServices`."""

    CSS_PATH = "app.tcss"
    TITLE = "sms-tui"
    BINDING_GROUP_TITLE = "App"
    HORIZONTAL_BREAKPOINTS = panes.HORIZONTAL
    VERTICAL_BREAKPOINTS = panes.VERTICAL
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave (drafts are saved)."),
        Binding(
            "ctrl+p", "command_palette", "Commands", show=False, id="app.palette", tooltip="Find any action."
        ),
    ]

    def __init__(
        self,
        store: Store,
        *,
        engine_factory: EngineFactory | None = None,
        now: Callable[[], datetime] = utc_now,
        undo_seconds: float = 5.0,
        poll_seconds: float = 15.0,
        keymap: dict[str, str] | None = None,
        rep_tz: tzinfo | str | None = None,
        rules: Any = None,
        media: Media | None = None,
        title: str = "sms-tui",
        environ: Mapping[str, str] | None = None,
        release_memory: Callable[[], object] = release_free_memory,
        first_rows: HeadRead | None = None,
    ) -> None:
        free_strips_by_refcount()  # painted lines go without the cyclic collector (ui/strip_cycles.py)
        memoize_scrollbars()  # a bar that shows the same is not painted again (ui/scrollbar_memo.py)
        lazy_strip_caches()  # a painted line makes its caches when it uses them (ui/lazy_strips.py)
        paint_when_due()  # a frame after a slow one is not held a whole interval (ui/frame_timer.py)
        write_frames_at_once()  # a frame's bytes do not wait for the writer thread (ui/frame_writer.py)
        super().__init__()
        self.store = store
        self.now = now
        self.undo_seconds = undo_seconds
        self.poll_seconds = poll_seconds
        self.keymap: dict[str, str] = dict(keymap or {})
        self.rep_tz: tzinfo = rep_tz if isinstance(rep_tz, tzinfo) else rep_zone(rep_tz)
        self.rules = rules
        #: received files (fetch, download folder, opener) and the MMS rules (`ui/media.py`)
        self.media = media if media is not None else Media()
        self.title = title
        #: The lead list's first page if the command has started reading it (`lead_pages.first_page`).
        self.first_rows = first_rows
        self.sync = SyncRunner(self, engine_factory, poll_seconds=poll_seconds)
        self.inbox = InboxScreen()
        # The terminal's title and desktop notifications (`ui/notice.py`): which sequence a
        # terminal understands is read from its environment (injected by tests).
        env = os.environ if environ is None else environ
        self.notices = TerminalNotices(self._write_terminal, env, title)
        #: Hands the allocator's free pages back to the system (`ui/memory.py`; injected by tests).
        self._release_memory = release_memory
        #: Full garbage collections wait for a moment without keys (`ui/idle_gc.py`).
        self.idle_gc = IdleCollector()

    @property
    def sync_started(self) -> bool:
        return self.sync.started

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.idle_gc.touched()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.idle_gc.uninstall()

    def get_default_screen(self) -> Screen[Any]:
        """The inbox is the app's first screen. (Textual's own is a blank `_default` screen, styled
        and painted before the inbox was pushed over it: one more screen and one more frame,
        40-75 ms, before the rows.)"""
        return self.inbox

    def on_mount(self) -> None:
        self.idle_gc.install()
        self.set_interval(CHECK, self.idle_gc.check, name="idle-gc")
        if self.keymap:
            self.keymap = resolve_keymap(self.keymap, binding_ids())
            self.set_keymap(self.keymap)
        self.sync.set_target(self.inbox)
        # One pane at a time on a small terminal: the pane follows the focus (ui/panes.py).
        self.watch(self.inbox, "focused", lambda focused: panes.apply(self.inbox, focused))
        # The `sms-tui` command starts with garbage collection off (`sms_tui/launch.py`): back on
        # once the first frame is painted, what start-up built frozen out of its passes
        # (`ui/idle_gc.py`); then the dataclass code it compiled and the CSS it parsed are kept
        # for the next start (`sms_tui/dataclass_cache.py`, `ui/css_cache.py`; nothing to do when
        # nothing new was, or in tests, which install neither).
        self.call_after_refresh(self.idle_gc.first_frame)
        self.call_after_refresh(dataclass_cache.save)
        self.call_after_refresh(css_cache.save)
        if self.sync.has_provider:  # the rows and the first conversation come first
            self.inbox.after_first_conversation(self.sync.start)
        else:
            self.sync.start()

    def _write_terminal(self, data: str) -> None:
        """Bytes for the terminal itself (title, notification), written beside Textual's output."""
        if self._driver is not None:
            self._driver.write(data)

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        self.notices.restore()  # the terminal gets its own title back
        super().exit(result, return_code, message)

    def release_memory(self) -> None:
        """Give freed memory back to the system, in a thread (a list has just finished loading)."""
        self.run_worker(self._release_memory, thread=True, group="memory", exit_on_error=False)

    def push_after(self, delay: float) -> None:
        """Push the outbox once the undo delay of a just-queued message is over."""
        self.set_timer(max(delay, 0) + 0.05, self.push_now, name="push-after-undo")

    def push_now(self) -> None:
        self.sync.push()

    def poll_now(self) -> None:
        self.sync.poll()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.sync.has_provider:
            yield SystemCommand(
                "Full resync",
                "Forget where the sync stands and fetch your conversations again (as `sms-tui sync --full`)",
                self.sync.full_resync,
            )

    async def action_quit(self) -> None:
        """Quit; texts still inside the undo window are sent first, kept on request, never held
        silently (`QuitDialog`)."""
        self.inbox.flush_drafts_now()
        waiting = still_pending(self.inbox.pending, self.now())
        if not waiting:
            self.exit()
            return
        self._ask_before_quit(sorted(waiting), max(v[1] for v in waiting.values()))

    def _ask_before_quit(self, local_ids: list[int], deadline: datetime, problem: Safe | None = None) -> None:
        from sms_tui.ui.screens.quit_dialog import QuitChoice, QuitDialog

        if isinstance(self.screen, QuitDialog):
            return

        def chosen(choice: QuitChoice | None) -> None:
            if choice == "keep":
                self.exit(
                    message=f"{plural(len(local_ids))} kept in the outbox: sent when sms-tui next starts."
                )
            elif choice == "send":
                self.run_worker(self._send_then_quit(local_ids, deadline), group="quit", exit_on_error=False)

        can_send = self.sync.engine is not None
        self.push_screen(
            QuitDialog(len(local_ids), deadline, self.now, can_send=can_send, problem=problem), chosen
        )

    async def _send_then_quit(self, local_ids: list[int], deadline: datetime) -> None:
        """End the undo window of `local_ids` now, push, and quit once none is left in the outbox."""
        store = self.store
        await asyncio.to_thread(store.send_now, local_ids, self.now())
        engine = self.sync.engine
        if engine is not None:
            await engine.push_outbox()
        held = [
            m
            for m in await asyncio.to_thread(lambda: [store.get_message(i) for i in local_ids])
            if m is not None and m.local_state in ("outbox", "sending")
        ]
        if not held:
            self.exit()
            return
        why = self.inbox.status.detail or "the provider did not answer"  # the engine's last word
        self._ask_before_quit([m.local_id for m in held], deadline, one_line(str(why)))

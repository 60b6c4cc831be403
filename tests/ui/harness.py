"""Drive the real app in tests: a seeded store (no provider) or the fake carrier in-process.

Textual has no fake clock (STYLE.md §3.3): the app gets `now=clock.now` and tiny or frozen
durations, and tests start polls and pushes themselves (`app.sync.poll()` / `push()`) with
`poll_seconds=999` so nothing fires behind their back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from textual.css.query import NoMatches
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerState

from sms_tui.carrier import FakeClock, create_app
from sms_tui.config import Settings
from sms_tui.core.models import LeadRow
from sms_tui.provider import CloseClient
from sms_tui.store import Store
from sms_tui.sync.engine import SyncEngine
from sms_tui.ui.app import SmsApp
from sms_tui.ui.media import Media
from sms_tui.ui.screens.inbox import InboxScreen
from tests.ui.seed import NOW, REP_TZ, seeded_store

KEY = "ui-test-key"
SEED = 7
ROOT = "http://carrier.test/"
#: 18:00 UTC: business hours for US and UK leads (so quiet hours do not get in the way).
LIVE_START = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


class Clock:
    """A settable clock for the seeded (no carrier) app."""

    def __init__(self, start: datetime = NOW) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at


def seeded_app(
    tmp_path: Path, *, clock: Clock | None = None, undo_seconds: float = 5.0, media: Media | None = None
) -> SmsApp:
    clock = clock or Clock()
    store = seeded_store(tmp_path / "cache.sqlite3", clock.now())
    return SmsApp(
        store, now=clock.now, undo_seconds=undo_seconds, poll_seconds=999, rep_tz=REP_TZ, media=media
    )


@dataclass
class Live:
    """The app wired to an in-process fake carrier on a FakeClock."""

    app: SmsApp
    store: Store
    clock: FakeClock
    http: httpx.AsyncClient
    messages: list[Message] = field(default_factory=list)
    carrier: Any = None  # the in-process carrier app (hand it to live_app again for a restart)

    async def inbound(self, frm: str, to: str, text: str) -> None:
        r = await self.http.post(ROOT + "_carrier/inbound", json={"from": frm, "to": to, "text": text})
        assert r.status_code == 200, r.text

    async def advance(self, seconds: float) -> None:
        r = await self.http.post(ROOT + "_carrier/clock", json={"advance": seconds})
        assert r.status_code == 200, r.text

    async def faults(self, **changes: Any) -> None:
        r = await self.http.post(ROOT + "_carrier/faults", json=changes)
        assert r.status_code == 200, r.text

    async def carrier_state(self) -> dict[str, Any]:
        r = await self.http.get(ROOT + "_carrier/state")
        return dict(r.json())

    def notifications(self) -> list[Any]:
        return [m.notification for m in self.messages if isinstance(m, Notify)]


async def _no_sleep(seconds: float) -> None:
    """The client's back-off waits, skipped: tests never sleep for real."""


async def live_app(
    tmp_path: Path,
    *,
    undo_seconds: float = 5.0,
    clock: FakeClock | None = None,
    carrier: Any = None,
    media: Media | None = None,
) -> Live:
    """The app on the cache in `tmp_path` and a carrier; pass `clock` and `carrier` of an earlier
    Live to restart the app against the same carrier (quit and open again)."""
    clock = clock or FakeClock(LIVE_START)
    carrier = carrier or create_app(api_key=KEY, seed=SEED, clock=clock)
    transport = httpx.ASGITransport(app=carrier)
    http = httpx.AsyncClient(transport=transport, base_url=ROOT + "api/v1/", auth=(KEY, ""))
    r = await http.post(ROOT + "_carrier/faults", json={"reply_rate": 0, "carrier_error_rate": 0})
    assert r.status_code == 200, r.text
    store = Store.open(tmp_path / "cache.sqlite3")
    client = CloseClient(ROOT + "api/v1/", KEY, transport=transport, sleep=_no_sleep)
    settings = Settings(poll_interval=999, undo_seconds=undo_seconds)

    def factory(listener: Callable[[Any], None]) -> SyncEngine:
        return SyncEngine(store, client, now=clock.now, listener=listener, settings=settings)

    app = SmsApp(
        store,
        engine_factory=factory,
        now=clock.now,
        undo_seconds=undo_seconds,
        poll_seconds=999,
        rep_tz=REP_TZ,
        media=media,
    )
    return Live(app=app, store=store, clock=clock, http=http, carrier=carrier)


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Let workers finish and their results reach the widgets (cancelled or failed ones too:
    `wait_for_complete` would raise for those, STYLE.md §4.7)."""
    for _ in range(rounds):
        for _ in range(500):
            busy = [w for w in pilot.app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
            if not busy:
                break
            await pilot.pause(0.01)
        await pilot.pause()


async def until(pilot: Pilot[None], check: Callable[[], bool], tries: int = 200) -> None:
    """Pause until `check()` holds (bounded: fails the test instead of hanging). A widget not
    mounted yet is "not yet": the inbox is the app's first screen, and Textual makes the app ready
    (and calls a snapshot's `run_before`) before that screen has mounted what it composes."""
    for _ in range(tries):
        try:
            if check():
                return
        except NoMatches:
            pass
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


def inbox(app: SmsApp) -> InboxScreen:
    return app.inbox


async def open_lead(pilot: Pilot[None], lead_id: str) -> LeadRow:
    """Move the list cursor onto `lead_id` and wait for its conversation."""
    screen = inbox(pilot.app)  # type: ignore[arg-type]
    await until(pilot, lambda: any(row.lead_id == lead_id for _, row in screen.leads.loaded_rows()))
    index, row = next((i, r) for i, r in screen.leads.loaded_rows() if r.lead_id == lead_id)
    screen.leads.move_to(index)
    await until(pilot, lambda: screen.conversation.lead_id == lead_id and screen.composer.context is not None)
    await settle(pilot)
    return row


def shown(widget: Widget) -> str:
    """The plain text a widget renders (Static content, bars, bubbles)."""
    visual = widget.render()
    return str(getattr(visual, "plain", visual))


def bubbles(app: SmsApp) -> list[str]:
    """The plain text of every message bubble on screen (text, time and status lines)."""
    return inbox(app).conversation.message_texts()


def list_lines(app: SmsApp) -> list[str]:
    """What the lead list shows, line by line."""
    leads = inbox(app).leads
    return [leads.render_line(y).text for y in range(leads.size.height)]

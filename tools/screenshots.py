"""`python -m tools.screenshots DIR` (`make screenshots`): SVGs the app saves of itself.

Runs the real app headless on the fake carrier in-process (its demo organization, a fixed fake
clock in business hours), drives it with a Pilot like a rep would, and calls
`App.save_screenshot` for: the main screen, the composer with a UCS-2 warning, the template
picker, a failed message, an opted-out lead, an inbound photo previewed as half-blocks (fetched
by the sync engine with the key, as in `sms-tui`), the composer with a picture attached, the bulk
preview and the campaigns screen.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerState

from sms_tui.carrier import FakeClock, create_app
from sms_tui.config import Settings
from sms_tui.core.models import LeadRow
from sms_tui.provider import CloseClient
from sms_tui.store import Store
from sms_tui.sync.engine import SyncEngine
from sms_tui.ui.app import SmsApp
from sms_tui.ui.media import Media

KEY = "screenshot-key"
ROOT = "http://carrier.local/"
START = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # a Tuesday, business hours in the US and UK
SIZE = (120, 36)
#: Seconds each photo waits for timers (steady_footer.REBUILD_DELAY, the inbox's DRAFT_DEBOUNCE).
SETTLE = 0.6


async def _idle(pilot: Pilot[None]) -> None:
    # what waits on a timer first: the footer's rebuild for the focused widget, the draft's save
    await pilot.pause(SETTLE)
    for _ in range(3):
        for _ in range(1000):
            if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
                break
            await pilot.pause(0.01)
        await pilot.pause()


async def _until(pilot: Pilot[None], check: Callable[[], bool]) -> None:
    for _ in range(1000):
        if check():
            return
        await pilot.pause(0.02)
    raise RuntimeError("the app never reached the state to photograph")


async def _open(pilot: Pilot[None], app: SmsApp, pick: Callable[[LeadRow], bool]) -> LeadRow:
    leads = app.inbox.leads
    await _until(pilot, lambda: any(pick(r) for _, r in leads.loaded_rows()))
    index, row = next((i, r) for i, r in leads.loaded_rows() if pick(r))
    leads.move_to(index)
    await _until(pilot, lambda: app.inbox.conversation.lead_id == row.lead_id)
    await _idle(pilot)
    return row


REPLIES = [
    ("Thursday at 2 works for me 👍", "Can you send the contract first?"),
    ("Who is this? [urgent] \x1b[1mhello", ""),
    ("Sounds good, thanks!", ""),
]


async def _replies(pilot: Pilot[None], app: SmsApp, transport: httpx.AsyncBaseTransport) -> None:
    """A few leads write back after start, as they would during a morning."""
    ours = {n.country: n.number for n in app.store.our_numbers()}
    rows = [
        r
        for _, r in app.inbox.leads.loaded_rows()
        if r.phone and r.phone.startswith("+1") and not r.opted_out and not r.failed_count
    ]
    async with httpx.AsyncClient(transport=transport, auth=(KEY, "")) as http:
        for row, texts in zip(rows[3:], REPLIES, strict=False):
            for text in texts:
                if text:
                    body = {"from": row.phone, "to": ours["US"], "text": text}
                    response = await http.post(ROOT + "_carrier/inbound", json=body)
                    response.raise_for_status()
    app.sync.poll()
    await _idle(pilot)


async def _mms(pilot: Pilot[None], app: SmsApp, transport: httpx.AsyncBaseTransport) -> LeadRow:
    """A lead sends a photo of their roof; the rep opens it and previews the picture."""
    ours = {n.country: n.number for n in app.store.our_numbers()}
    row = await _open(pilot, app, lambda r: bool(r.phone and r.phone.startswith("+1")) and not r.opted_out)
    body = {
        "from": row.phone,
        "to": ours["US"],
        "text": "Here is the roof, the leak is left of the chimney",
        "media": ["roof.jpg"],
    }
    async with httpx.AsyncClient(transport=transport, auth=(KEY, "")) as http:
        (await http.post(ROOT + "_carrier/inbound", json=body)).raise_for_status()
    app.sync.poll()
    await _idle(pilot)
    await _until(pilot, lambda: any(m.attachments for m in app.inbox.conversation.view.messages))  # type: ignore[union-attr]
    await pilot.press("a")
    await _idle(pilot)
    await pilot.press("p")
    await _until(pilot, lambda: bool(app.screen.query(".picture")))
    await _idle(pilot)
    await pilot.press("escape")
    await _idle(pilot)
    return row


BULK_TEXT = (
    "Hi {{ contact.first_name }}, this is {{ user.first_name }} from {{ organization.name }}: our spring "
    "offer is live this week. Reply STOP to opt out."
)


async def _bulk(pilot: Pilot[None], app: SmsApp, save: Callable[[str], None]) -> None:
    """Mark every lead, compose once, preview (clean ones approved), create a drip campaign."""
    from textual.widgets import Input, TextArea

    from sms_tui.ui.screens.bulk_compose import BulkComposeScreen
    from sms_tui.ui.screens.bulk_preview import BulkPreviewScreen
    from sms_tui.ui.screens.bulk_send import SendModeDialog
    from sms_tui.ui.screens.campaigns import CampaignsScreen

    await pilot.press("1", "asterisk")
    await _until(pilot, lambda: len(app.inbox.leads.marked) == app.inbox.leads.total)
    await pilot.press("b")
    await _until(pilot, lambda: isinstance(app.screen, BulkComposeScreen))
    app.screen.query_one("#bulk-text", TextArea).insert(BULK_TEXT)
    await pilot.press("ctrl+j")
    await _until(pilot, lambda: isinstance(app.screen, BulkPreviewScreen) and app.screen.done)
    await pilot.press("A", "down", "down")
    app.clear_notifications()
    await _idle(pilot)
    save("bulk-preview")
    await pilot.press("ctrl+j")
    await _until(pilot, lambda: isinstance(app.screen, SendModeDialog))
    await pilot.press("down", "down", "down", "enter")  # drip
    app.screen.query_one("#send-name", Input).value = "Spring offer"
    app.screen.query_one("#send-drip-n", Input).value = "5"
    app.screen.query_one("#send-drip-m", Input).value = "10"
    await pilot.press("ctrl+j")
    await _until(pilot, lambda: isinstance(app.screen, CampaignsScreen) and bool(app.screen.views))
    await _idle(pilot)
    app.clear_notifications()
    await _idle(pilot)
    save("campaigns")


async def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    clock = FakeClock(START)
    carrier = create_app(api_key=KEY, seed=7, clock=clock)
    transport = httpx.ASGITransport(app=carrier)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "cache.sqlite3")
        client = CloseClient(ROOT + "api/v1/", KEY, transport=transport)

        def factory(listener: Callable[[Any], None]) -> SyncEngine:
            return SyncEngine(
                store, client, now=clock.now, listener=listener, settings=Settings(poll_interval=999)
            )

        work = Path(tmp) / "files"
        media = Media(
            open=lambda path: None,  # a screenshot opens nothing
            download_dir=work / "downloads",
            work_dir=work / "outgoing",
            pick_dir=work,
        )
        app = SmsApp(
            store,
            engine_factory=factory,
            now=clock.now,
            poll_seconds=999,
            rep_tz="America/New_York",
            title="sms-tui demo",
            media=media,
        )

        def save(name: str) -> None:
            saved.append(Path(app.save_screenshot(filename=f"{name}.svg", path=str(out))))

        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: app.sync.started and app.inbox.leads.total > 0)
            await _idle(pilot)
            await _replies(pilot, app, transport)
            await _open(pilot, app, lambda r: r.unread > 1 and not r.failed_count and not r.opted_out)
            save("main-screen")

            await pilot.press("enter")
            app.inbox.composer.input.insert("Hi! 😊 We’re ready when you are — “Thursday” works?")
            await _idle(pilot)
            save("composer-ucs2-warning")

            await pilot.press("ctrl+t")
            await _idle(pilot)
            save("template-picker")
            await pilot.press("escape")
            await pilot.pause()
            app.inbox.composer.clear()
            await pilot.press("escape")

            await _open(pilot, app, lambda r: r.failed_count > 0)
            save("failed-message")

            await pilot.press("ctrl+f")
            await _idle(pilot)
            save("recipient-picker")
            await pilot.press("escape")
            await pilot.press("i")
            await _idle(pilot)
            save("lead-details")
            await pilot.press("escape")
            await pilot.pause()

            await _open(pilot, app, lambda r: r.opted_out)
            await pilot.press("enter")
            app.inbox.composer.input.insert("Hi, one last thing about the quote")
            await _idle(pilot)
            save("opted-out-lead")
            app.inbox.composer.clear()
            await pilot.press("escape")

            await _mms(pilot, app, transport)
            save("mms-inbound-photo")

            flyer = work / "spring-flyer.jpg"
            flyer.parent.mkdir(parents=True, exist_ok=True)
            flyer.write_bytes(
                (Path(__file__).parent.parent / "sms_tui/carrier/samples/roof.jpg").read_bytes()
            )
            await pilot.press("enter", "ctrl+n")
            await _idle(pilot)
            app.screen.query_one("#attach-path", Input).value = str(flyer)
            await _idle(pilot)
            await pilot.press("enter")
            await _idle(pilot)
            app.inbox.composer.input.insert("Thanks! Here is the flyer for the spring offer")
            await _idle(pilot)
            save("mms-composer-attachment")
            app.inbox.composer.clear()
            await pilot.press("escape")
            await _idle(pilot)
            await _bulk(pilot, app, save)
        store.close()
    return saved


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("screenshots")
    for path in asyncio.run(shoot(out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

"""A bulk campaign in the running app against the fake carrier in-process, on a fake clock: created
through the inbox (mark, compose, preview, approve clean, send now), sent by the app's own sync engine
throttled per sending number, paused, the app quit and opened again, resumed, and a STOP from one
recipient stopping their message. The carrier's records are the judge."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from sms_tui.ui.screens.bulk_compose import BulkComposeScreen
from sms_tui.ui.screens.bulk_preview import BulkPreviewScreen
from sms_tui.ui.screens.bulk_send import SendModeDialog
from sms_tui.ui.screens.campaigns import CampaignsScreen
from tests.ui.harness import Live, inbox, live_app, settle, until

TEXT = "Hi {{ contact.first_name }}, this is Alex from Sunrise Solar: spring offer. Reply STOP to opt out."
MARKED = 5


async def _started(pilot: Pilot[None], live: Live) -> None:
    await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
    await settle(pilot)


async def _create_campaign(pilot: Pilot[None], live: Live) -> list[str]:
    """Mark MARKED textable US leads, compose, preview, approve every clean one, send now."""
    state = await live.carrier_state()
    landlines = set(state["landlines"])
    opted = {o["remote_phone"] for o in state["opt_outs"]}
    screen = inbox(live.app)
    chosen: list[str] = []
    for index, row in screen.leads.loaded_rows():
        phone = row.phone or ""
        if not phone.startswith("+1") or phone in landlines or phone in opted or "5550" in phone:
            continue
        if row.opted_out or row.failed_count:
            continue
        screen.leads.move_to(index)
        await pilot.press("space")
        chosen.append(row.lead_id)
        if len(chosen) == MARKED:
            break
    await until(pilot, lambda: len(screen.leads.marked) == MARKED)
    await pilot.press("b")
    await until(pilot, lambda: isinstance(live.app.screen, BulkComposeScreen))
    live.app.screen.query_one("#bulk-text", TextArea).insert(TEXT)
    await pilot.press("ctrl+j")
    await until(pilot, lambda: isinstance(live.app.screen, BulkPreviewScreen) and live.app.screen.done)
    await pilot.press("A")
    await pilot.press("ctrl+j")
    await until(pilot, lambda: isinstance(live.app.screen, SendModeDialog))
    await pilot.press("ctrl+j")  # now
    await until(pilot, lambda: isinstance(live.app.screen, CampaignsScreen))
    await settle(pilot)
    return chosen


async def _run(pilot: Pilot[None], live: Live, seconds: int, *, poll_every: int = 5) -> None:
    """The app's own engine pushing every second of fake time (and polling now and then)."""
    for second in range(seconds):
        live.clock.advance(1)
        live.app.sync.push()
        await settle(pilot, rounds=1)
        if second % poll_every == poll_every - 1:
            await live.advance(0)
            live.app.sync.poll()
            await settle(pilot, rounds=1)


def _ours(state: dict[str, object]) -> list[dict[str, str]]:
    sms: list[dict[str, str]] = state["sms"]  # type: ignore[assignment]
    return [s for s in sms if s["direction"] == "outbound" and "spring offer" in (s["text"] or "")]


def _screen_text(live: Live) -> str:
    screen = live.app.screen
    assert isinstance(screen, CampaignsScreen)
    return " ".join(str(o.prompt) for o in screen.query_one("OptionList").options) + str(  # type: ignore[attr-defined]
        screen.query_one("#campaign-report", Static).render()
    )


async def test_send_now_throttled_pause_quit_reopen_resume_and_stop(tmp_path: Path) -> None:
    live = await live_app(tmp_path)
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        await _started(pilot, live)
        chosen = await _create_campaign(pilot, live)
        (campaign,) = live.store.campaigns()
        await _run(pilot, live, 2)
        sent_early = len(_ours(await live.carrier_state()))
        assert 1 <= sent_early <= 3  # one a second from our one number: not all five at once
        await pilot.press("p")  # pause from the campaigns screen
        await settle(pilot)
        await _run(pilot, live, 10)
        paused = live.store.campaign(campaign.id)
        assert paused is not None and paused.state == "paused"
        on_carrier = len(_ours(await live.carrier_state()))
        assert on_carrier < MARKED
        await pilot.press("ctrl+q")  # quit with the campaign paused
    live.store.close()

    again = await live_app(tmp_path, clock=live.clock, carrier=live.carrier)  # open the app again
    async with again.app.run_test(size=(120, 36), message_hook=again.messages.append) as pilot:
        await _started(pilot, again)
        await _run(pilot, again, 5)
        assert len(_ours(await again.carrier_state())) == on_carrier  # still paused after the restart
        # one recipient still to go texts STOP before the campaign resumes
        waiting = [r for r in again.store.campaign_recipients(campaign.id) if r.state == "pending"]
        stopper = waiting[-1]
        await again.inbound(stopper.phone, stopper.from_number, "STOP")
        await pilot.press("B")  # the campaigns screen
        await until(pilot, lambda: isinstance(again.app.screen, CampaignsScreen))
        await settle(pilot)
        assert "PAUSED" in _screen_text(again)
        await pilot.press("r")
        await settle(pilot)
        await _run(pilot, again, 40)
        await until(pilot, lambda: "DONE" in _screen_text(again))
        states = Counter(r.state for r in again.store.campaign_recipients(campaign.id))
        assert states == {"sent": MARKED - 1, "opted_out": 1}
        ours = _ours(await again.carrier_state())
        assert Counter(s["remote_phone"] for s in ours) == Counter(
            r.phone for r in again.store.campaign_recipients(campaign.id) if r.state == "sent"
        )
        assert stopper.phone not in {s["remote_phone"] for s in ours}
        created = sorted(datetime.fromisoformat(s["date_created"]) for s in ours)
        assert all((b - a).total_seconds() >= 0.99 for a, b in zip(created, created[1:], strict=False))
        text = _screen_text(again)
        assert f"{MARKED - 1} sent" in text and "1 opted out" in text
        assert set(chosen) == {r.lead_id for r in again.store.campaign_recipients(campaign.id)}

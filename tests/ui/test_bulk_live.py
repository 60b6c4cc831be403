"""A bulk campaign in the running app against the fake carrier in-process, on a fake clock: created
through the inbox (mark, compose, preview, approve clean, send now), sent by the app's own sync engine
throttled per sending number, paused, the app quit and opened again, resumed, and a STOP from one
recipient stopping their message. The carrier's records are the judge."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from sms_tui.carrier import FakeClock
from sms_tui.core.drip import hours_for
from sms_tui.ui.screens.bulk_compose import BulkComposeScreen
from sms_tui.ui.screens.bulk_preview import BulkPreviewScreen
from sms_tui.ui.screens.bulk_send import SendModeDialog
from sms_tui.ui.screens.campaigns import CampaignsScreen
from tests.ui.harness import Live, inbox, live_app, settle, until
from tests.ui.seed import REP_TZ

TEXT = "Hi {{ contact.first_name }}, this is Alex from Sunrise Solar: spring offer. Reply STOP to opt out."
MARKED = 5


async def _started(pilot: Pilot[None], live: Live) -> None:
    await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
    await settle(pilot)


async def _create_campaign(
    pilot: Pilot[None], live: Live, *, marked: int = MARKED, drip: tuple[str, str, str] | None = None
) -> list[str]:
    """Mark `marked` textable US leads, compose, preview, approve every clean one, send now (or as a
    drip of (N, M, daily cap) typed into the send dialog)."""
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
        if len(chosen) == marked:
            break
    await until(pilot, lambda: len(screen.leads.marked) == marked)
    await pilot.press("b")
    await until(pilot, lambda: isinstance(live.app.screen, BulkComposeScreen))
    live.app.screen.query_one("#bulk-text", TextArea).insert(TEXT)
    await pilot.press("ctrl+j")
    await until(pilot, lambda: isinstance(live.app.screen, BulkPreviewScreen) and live.app.screen.done)
    await pilot.press("A")
    preview = live.app.screen
    assert isinstance(preview, BulkPreviewScreen)
    for p in preview.plan.previews:  # at night their quiet hours warn: the rep approves them anyway
        if p.verdict == "warn" and preview.plan.decision(p.lead_id) is None:
            preview.plan.toggle(p.lead_id)
    await pilot.press("ctrl+j")
    await until(pilot, lambda: isinstance(live.app.screen, SendModeDialog))
    if drip is not None:
        await pilot.press("down", "down", "down", "enter")  # "Drip: N messages every M minutes"
        for selector, value in zip(("#send-drip-n", "#send-drip-m", "#send-cap"), drip, strict=True):
            live.app.screen.query_one(selector, Input).value = value
    await pilot.press("ctrl+j")  # create (now unless a drip was chosen)
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


async def test_a_drip_over_fake_days_keeps_quiet_hours_batches_and_the_daily_cap(tmp_path: Path) -> None:
    """Started at 22:00 in New York (19:00 in Los Angeles): 2 every hour, at most 4 a day per number.
    East-coast leads wait for their morning; nothing goes in anyone's quiet hours; the cap holds."""
    start = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    live = await live_app(tmp_path, clock=FakeClock(start))
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        await _started(pilot, live)
        await _create_campaign(pilot, live, marked=8, drip=("2", "60", "4"))
        (campaign,) = live.store.campaigns()
        assert (campaign.spec.mode, campaign.spec.drip_count, campaign.spec.daily_cap) == ("drip", 2, 4)
        live.app.sync.push()
        await settle(pilot)
        # the plan's finish time, in the rep's zone (New York): the last of the 8 goes Tuesday 20:00
        # (the plan is made in the sync's thread: under load it can land after one settle)
        await until(pilot, lambda: "finishes ~Tue 20:00" in _screen_text(live))
        for _ in range(60):  # jump from release to release (a few fake days in a few dozen steps)
            due = live.store.campaign_progress(campaign.id)
            if due.counts["pending"] == 0 and due.counts["queued"] == 0:
                break
            target = due.finish_at if due.finish_at is not None else live.clock.now()
            nxt = min(
                (r.release_at for r in live.store.campaign_recipients(campaign.id, state="pending")
                 if r.release_at is not None),
                default=target,
            )  # fmt: skip
            if nxt > live.clock.now():
                live.clock.set(nxt)
            for _ in range(8):  # release, push, and let the carrier take it
                live.app.sync.push()
                await settle(pilot, rounds=1)
                await live.advance(1)
            live.app.sync.poll()
            await settle(pilot)
        await until(pilot, lambda: "DONE" in _screen_text(live))
        ours = _ours(await live.carrier_state())
        assert len(ours) == 8 and len({s["remote_phone"] for s in ours}) == 8
        sent_at = [
            (datetime.fromisoformat(s["date_created"]), s["remote_phone"], s["local_phone"]) for s in ours
        ]
        for at, phone, _ in sent_at:
            assert hours_for(phone).allows(at), f"texted {phone} at {at}: inside their quiet hours"
        per_day = Counter((number, at.date()) for at, _, number in sent_at)
        assert max(per_day.values()) <= 4 and len({day for _, day in per_day}) >= 2
        per_hour = Counter((at - start) // timedelta(hours=1) for at, _, _ in sent_at)
        assert max(per_hour.values()) <= 2
        assert "8 sent" in _screen_text(live)
        assert (
            max(at for at, _, _ in sent_at).astimezone(ZoneInfo(REP_TZ)).strftime("%a %H:%M") == "Tue 20:00"
        )

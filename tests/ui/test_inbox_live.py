"""The inbox against the fake carrier in-process (ASGITransport, FakeClock): sync-driven flows."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from sms_tui.core.models import LeadRow
from tests.ui.harness import Live, bubbles, inbox, live_app, open_lead, settle, shown, until


async def _started(pilot: Pilot[None], live: Live) -> None:
    await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
    await settle(pilot)


def _textable_us_lead(live: Live, state: dict[str, object]) -> LeadRow:
    """A loaded lead with a plain US mobile we may text (not opted out, not a landline)."""
    landlines = set(state["landlines"])  # type: ignore[call-overload]
    opted = {o["remote_phone"] for o in state["opt_outs"]}  # type: ignore[attr-defined]
    for _, row in inbox(live.app).leads.loaded_rows():
        phone = row.phone or ""
        if phone.startswith("+1") and phone not in landlines and phone not in opted and not row.opted_out:
            detail = live.store.lead_detail(row.lead_id)
            contact = detail.texting_contact
            if contact and not contact.do_not_text and "5550" not in phone:
                return row
    raise AssertionError("no textable US lead in the demo data")


def _our_us_number(live: Live) -> str:
    return next(n.number for n in live.store.our_numbers() if n.country == "US")


async def test_first_sync_then_send_goes_sending_then_sent(tmp_path: Path) -> None:
    live = await live_app(tmp_path, undo_seconds=5)
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        await _started(pilot, live)
        assert not live.notifications(), "history from the first sync must not toast"
        row = _textable_us_lead(live, await live.carrier_state())
        await open_lead(pilot, row.lead_id)
        await pilot.press("enter", *"Quick question", "ctrl+j")
        await settle(pilot)
        assert any("Quick question" in t and "Sending in 5 s" in t for t in bubbles(live.app)), [
            n.message for n in live.notifications()
        ]

        live.clock.advance(6)  # the undo window closes
        inbox(live.app)._tick()
        await pilot.pause()
        assert any("Quick question" in t and t.rstrip().endswith("Sending…") for t in bubbles(live.app))

        live.app.sync.push()
        await settle(pilot)
        mine = [m for m in live.store.conversation(row.lead_id) if m.text == "Quick question"]
        assert [m.local_state for m in mine] == ["sent"] and mine[0].remote_id
        await until(pilot, lambda: any("Quick question" in t and "✓" in t for t in bubbles(live.app)))

        await live.advance(30)  # the carrier delivers it
        live.app.sync.poll()
        await settle(pilot)
        await until(pilot, lambda: any("Quick question" in t and "✓ Sent" in t for t in bubbles(live.app)))


async def test_a_reply_updates_badge_and_toasts_without_moving_the_cursor(tmp_path: Path) -> None:
    live = await live_app(tmp_path)
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        await _started(pilot, live)
        screen = inbox(live.app)
        state = await live.carrier_state()
        selected = _textable_us_lead(live, state)
        await open_lead(pilot, selected.lead_id)
        cursor_row = screen.leads.cursor * screen.leads.row_height - int(screen.leads.scroll_offset.y)
        # Someone further down the list writes.
        other = next(
            r
            for i, r in reversed(screen.leads.loaded_rows())
            if r.lead_id != selected.lead_id
            and r.phone
            and r.phone.startswith("+1")
            and not r.opted_out
            and not r.unread  # the header counts unread leads
        )
        before = screen.status.unread
        await live.inbound(other.phone or "", _our_us_number(live), "Call me [b]now[/b]")
        live.app.sync.poll()
        await settle(pilot)
        await until(pilot, lambda: screen.status.unread == before + 1)
        toasts = live.notifications()
        assert [(n.message, n.markup) for n in toasts] == [("Call me [b]now[/b]", False)]
        assert other.display_name in toasts[0].title
        # The selected lead is still selected, on the same screen row.
        assert screen.leads.selected is not None and screen.leads.selected.lead_id == selected.lead_id
        assert screen.leads.cursor * screen.leads.row_height - int(screen.leads.scroll_offset.y) == cursor_row

        def replied() -> LeadRow:
            return next(r for _, r in screen.leads.loaded_rows() if r.lead_id == other.lead_id)

        # The header's count and the list's rows are read by separate workers: either may land first.
        await until(pilot, lambda: replied().unread > other.unread)
        assert replied().unread == other.unread + 1 and replied().preview == "Call me [b]now[/b]"


async def test_stop_during_the_undo_window_blocks_the_send(tmp_path: Path) -> None:
    live = await live_app(tmp_path, undo_seconds=5)
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        await _started(pilot, live)
        row = _textable_us_lead(live, await live.carrier_state())
        await open_lead(pilot, row.lead_id)
        await pilot.press("enter", *"Last chance offer", "ctrl+j")
        await settle(pilot)
        await live.inbound(row.phone or "", _our_us_number(live), "STOP")
        live.app.sync.poll()
        await settle(pilot)
        live.clock.advance(6)
        live.app.sync.push()
        await settle(pilot)
        mine = [m for m in live.store.conversation(row.lead_id) if m.text == "Last chance offer"]
        assert [m.local_state for m in mine] == ["blocked"] and mine[0].block_reason
        await until(
            pilot, lambda: any("Last chance offer" in t and "⊘ Blocked" in t for t in bubbles(live.app))
        )
        shown = next(t for t in bubbles(live.app) if "Last chance offer" in t)
        assert (mine[0].block_reason or "")[:20] in " ".join(shown.split())
        state = await live.carrier_state()
        assert not any(s["text"] == "Last chance offer" for s in state["sms"])


async def test_header_shows_rate_limited_then_online_again(tmp_path: Path) -> None:
    live = await live_app(tmp_path)
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        await _started(pilot, live)
        screen = inbox(live.app)
        assert "● online" in shown(screen.status)
        await live.faults(next_429=20)
        live.app.sync.poll()
        await settle(pilot)
        await until(pilot, lambda: "rate-limited" in shown(screen.status))
        await live.faults(next_429=0)
        live.app.sync.poll()
        await settle(pilot)
        await until(pilot, lambda: "● online" in shown(screen.status))
        assert "polled" in shown(screen.status)

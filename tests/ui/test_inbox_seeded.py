"""Inbox flows on a seeded cache (no provider): what the rep sees and what the store holds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.message import Message
from textual.notifications import Notify

from sms_tui.core.models import LeadRow
from sms_tui.core.models import Message as MessageModel
from sms_tui.ui.app import SmsApp
from sms_tui.ui.messages import SyncUpdate
from sms_tui.ui.widgets import lead_list_paging
from sms_tui.ui.widgets.search_bar import FilterBar, SearchBar
from tests.ui.harness import Clock, bubbles, inbox, list_lines, open_lead, seeded_app, settle, shown, until
from tests.ui.seed import NOW


def lead_row(app: SmsApp, lead_id: str) -> LeadRow:
    row = app.store.lead_row(lead_id)
    assert row is not None
    return row


async def test_first_paint_lists_leads_newest_first_with_markers(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.leads.total == 6)
        await settle(pilot)
        lines = list_lines(app)
        assert lines[0].startswith("● Lovelace Analytics") and lines[0].rstrip().endswith("11m")
        assert "Maybe 2pm?" in lines[1] and lines[1].rstrip().endswith("2")  # preview, unread badge
        assert "Bob's Bikes [VIP] [/]" in lines[2]  # a name with markup shows as typed
        cyd = next(line for line in lines if "Cyd Charisse" in line)
        assert "!" in cyd  # failed marker
        dee = next(line for line in lines if "Dee's Diner" in line)
        assert "⊘" in dee  # opted-out marker
        status = shown(screen.status)
        assert "2 unread" in status and "1 failed" in status  # leads: the Unread filter's count


async def test_markup_and_ansi_in_a_reply_show_literally(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_bob")
        texts = bubbles(app)
        reply = next(t for t in texts if "not bold" in t)
        assert "[bold]not bold[/bold]" in reply
        assert "␛[31mred?␛[0m" in reply and "\x1b" not in reply
        assert "[link=x]y[/link]" in reply
        header = shown(inbox(app).conversation.query_one("#conversation-header"))
        assert "Bob's Bikes [VIP] [/]" in header
        preview = next(line for line in list_lines(app) if "not bold" in line)
        assert "[bold]not bold[/bold] ␛[31m" in preview


async def test_opening_does_not_mark_read_until_the_rep_acts(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        assert lead_row(app, "lead_ada").unread == 2
        await pilot.press("m")
        await settle(pilot)
        assert lead_row(app, "lead_ada").unread == 0
        assert "0 unread" not in shown(inbox(app).status)  # bob still unread
        await pilot.press("u")
        await settle(pilot)
        assert lead_row(app, "lead_ada").unread == 1


async def test_next_unread_skips_read_leads(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("n")
        await until(pilot, lambda: inbox(app).leads.selected is not None)
        assert inbox(app).leads.selected.lead_id == "lead_bob"  # type: ignore[union-attr]
        await pilot.press("n")  # wraps around to the only other unread lead
        await settle(pilot)
        assert inbox(app).leads.selected.lead_id == "lead_ada"  # type: ignore[union-attr]


async def test_send_then_undo_puts_the_text_back(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("enter", *"See you Thursday", "ctrl+j")
        await settle(pilot)
        screen = inbox(app)
        assert screen.composer.text == ""
        waiting = [t for t in bubbles(app) if "See you Thursday" in t]
        assert waiting and "Sending in 5 s — ctrl+z to undo" in waiting[0]
        assert [m.local_state for m in app.store.outbox()] == ["outbox"]
        assert lead_row(app, "lead_ada").unread == 0  # replying counts as reading
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert screen.composer.text == "See you Thursday"
        assert app.store.outbox() == []
        assert not any("See you Thursday" in t for t in bubbles(app))


async def test_undo_is_offered_only_while_a_send_waits(tmp_path: Path) -> None:
    app = seeded_app(tmp_path, undo_seconds=5)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        assert screen.check_action("undo_send", ()) is False
        await pilot.press("enter", *"typo", "ctrl+z")  # nothing pending: TextArea's own undo
        await settle(pilot)
        assert screen.composer.text == ""
        await pilot.press(*"hello", "ctrl+j")
        await settle(pilot)
        assert screen.check_action("undo_send", ()) is True
        assert "Undo send" in [b.binding.description for b in screen.active_bindings.values()]


async def test_countdown_follows_the_injected_clock(tmp_path: Path) -> None:
    clock = Clock()
    app = seeded_app(tmp_path, clock=clock, undo_seconds=5)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("enter", *"Hi", "ctrl+j")
        await settle(pilot)
        clock.at = NOW + timedelta(seconds=1.2)
        inbox(app).conversation.tick()
        assert any("Sending in 4 s — ctrl+z to undo" in t for t in bubbles(app))
        clock.at = NOW + timedelta(seconds=6)
        inbox(app)._tick()
        await pilot.pause()
        assert any(t.rstrip().endswith("Sending…") for t in bubbles(app))
        assert inbox(app).check_action("undo_send", ()) is False


async def test_retry_a_failed_message(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_cyd")
        failed = [t for t in bubbles(app) if "Failed" in t]
        assert failed and "Carrier rejected: unreachable handset" in failed[0]
        await pilot.press("R")  # the guard warns (a first text without name or opt-out line)
        await settle(pilot)
        assert app.store.outbox() == []
        await pilot.press("ctrl+o")  # confirmed with the one override key (R again only warns again)
        await settle(pilot)
        assert [(m.lead_id, m.text, m.local_state) for m in app.store.outbox()] == [
            ("lead_cyd", "Sure — what time suits?", "outbox")
        ]
        assert any("Sending in" in t for t in bubbles(app))


async def test_done_archives_and_keeps_the_cursor_row(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_bob")
        await pilot.press("e")
        await settle(pilot)
        screen = inbox(app)
        await until(pilot, lambda: screen.leads.total == 5)
        assert screen.leads.cursor == 1  # the same row, now the next lead
        assert screen.leads.selected.lead_id == "lead_cyd"  # type: ignore[union-attr]


async def test_snoozed_lead_comes_back_when_due(tmp_path: Path) -> None:
    clock = Clock()
    app = seeded_app(tmp_path, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("1")  # in 1 hour
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 5)
        assert all("Lovelace" not in line for line in list_lines(app))
        clock.at = NOW + timedelta(hours=1, minutes=1)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 6)
        assert any("Lovelace" in line for line in list_lines(app))


async def test_template_insert(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("enter", "ctrl+t")
        await settle(pilot)
        await pilot.press(*"follow", "enter")
        await settle(pilot)
        assert inbox(app).composer.text == "Hi Ada, just following up — Sam"


async def test_schedule_then_cancel_back_to_draft(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        await pilot.press("enter", *"Call tomorrow?", "ctrl+s")
        await settle(pilot)
        await pilot.press("1", "enter")  # in 1 hour (11:30 for Ada in San Francisco: not quiet hours)
        await settle(pilot)
        scheduled = [m for m in app.store.outbox() if m.local_state == "scheduled"]
        assert [m.text for m in scheduled] == ["Call tomorrow?"]
        assert any("Scheduled for" in t for t in bubbles(app))
        assert screen.composer.text == ""
        await pilot.press("escape", "x")
        await settle(pilot)
        assert app.store.outbox() == []
        assert screen.composer.text == "Call tomorrow?"


async def test_search_line_shows_where_a_syntax_error_is(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: inbox(app).leads.total == 6)
        await pilot.press("slash", *"is:unread (")
        await settle(pilot)
        bar = inbox(app).query_one(SearchBar)
        assert bar.is_open
        error = bar.query_one("#search-error")
        assert error.has_class("-shown")
        assert "^" in shown(error)


async def test_help_screen_lists_every_described_binding(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        from sms_tui.ui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        descriptions = {entry.description for entry in app.screen._entries}
        assert {
            "Undo send",
            "Next unread",
            "Done",
            "Snooze",
            "Search",
            "Send",
            "Schedule",
            "Templates",
        } <= descriptions
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen_stack[-1] is inbox(app)


async def test_keys_remap_from_config(tmp_path: Path) -> None:
    clock = Clock()
    app = seeded_app(tmp_path, clock=clock)
    app.keymap = {"done": "D"}  # a short name, as in the config file
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_bob")
        await pilot.press("e")  # no longer done
        await settle(pilot)
        assert lead_row(app, "lead_bob").done is False
        await pilot.press("D")
        await settle(pilot)
        assert lead_row(app, "lead_bob").done is True


async def test_search_with_a_seed_query_and_quick_filters(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.leads.total == 6)
        await pilot.press("slash", *"is:unread", "enter")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 2)
        names = [row.display_name for _, row in screen.leads.loaded_rows()]
        assert names == ["Lovelace Analytics", "Bob's Bikes [VIP] [/]"]
        assert "/ is:unread" in shown(screen.query_one(FilterBar))
        for key, expected in (("3", ["Cyd Charisse Dance"]), ("5", ["Dee's Diner"]), ("1", None)):
            await pilot.press(key)
            await settle(pilot)
            if expected is None:
                await until(pilot, lambda: screen.leads.total == 6)
            else:
                want = len(expected)
                await until(pilot, lambda: screen.leads.total == want)  # noqa: B023 - awaited here
                assert [row.display_name for _, row in screen.leads.loaded_rows()] == expected


async def test_a_field_the_store_does_not_know_is_shown_where(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.leads.total == 6)
        await pilot.press("slash", *"is:unread shoe_size:9", "enter")
        await settle(pilot)
        bar = screen.query_one(SearchBar)
        await until(pilot, lambda: bar.query_one("#search-error").has_class("-shown"))
        lines = shown(bar.query_one("#search-error")).splitlines()
        assert lines[0] == "is:unread shoe_size:9"
        assert lines[1].index("^") == len("is:unread ")


async def test_draft_is_saved_when_the_rep_quits(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_eve")
        await pilot.press("enter", *"half a thought")
        await pilot.press("ctrl+q")
    assert app.store.get_draft("lead_eve") == "half a thought"


async def test_command_palette_runs_inbox_actions(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"mark read")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert lead_row(app, "lead_ada").unread == 0


async def test_a_failing_store_write_becomes_a_toast_not_a_crash(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    seen: list[Message] = []

    def broken(lead_id: str) -> None:
        raise RuntimeError("disk full [really]")

    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        await open_lead(pilot, "lead_ada")
        app.store.mark_read = broken  # type: ignore[method-assign]
        await pilot.press("m")
        await settle(pilot)
        errors = [
            m.notification for m in seen if isinstance(m, Notify) and m.notification.severity == "error"
        ]
        assert len(errors) == 1 and "disk full [really]" in errors[0].message and not errors[0].markup
        assert app.is_running


async def test_older_messages_page_in_on_request(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        screen.page_messages = 2
        await open_lead(pilot, "lead_cyd")  # 2 messages: exactly one page, nothing older
        await pilot.press("o")
        await settle(pilot)
        assert len(bubbles(app)) == 2
        await open_lead(pilot, "lead_ada")  # 3 messages: the newest 2 first
        assert [t.split("\n")[0] for t in bubbles(app)] == ["Yes! Thursday works 👍", "Maybe 2pm?"]
        assert "earlier messages not shown" in screen.conversation.note
        await pilot.press("o")
        await settle(pilot)
        assert len(bubbles(app)) == 3 and bubbles(app)[0].startswith("Hi Ada, this is Sam")


def _reply(app: SmsApp, lead_id: str, phone: str, text: str) -> SyncUpdate:
    """A reply written into the cache as the sync engine would, and the event it would send."""
    when = NOW + timedelta(minutes=1)
    msg = MessageModel(
        local_id=0,
        lead_id=lead_id,
        direction="inbound",
        local_state="inbox",
        text=text,
        remote_id="acti_new_reply",
        status="inbox",
        local_phone="+14155550000",
        remote_phone=phone,
        date_created=when,
    )
    app.store.apply_remote_messages([msg], unread_inbound=True, now=when)
    event = SimpleNamespace(
        changed_lead_ids=frozenset({lead_id}), state="online", last_poll=when, new_inbound=(), detail=None
    )
    return SyncUpdate(event)


async def test_a_reply_re_sorts_the_list_but_the_selected_lead_keeps_its_row(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_eve")
        assert screen.leads.cursor == 4
        on_screen = screen.leads.cursor * 2 - int(screen.leads.scroll_offset.y)
        screen.post_message(_reply(app, "lead_fay", "+14155550106", "Back from holiday"))
        await settle(pilot)
        await until(pilot, lambda: getattr(screen.leads.row_at(0), "lead_id", None) == "lead_fay")
        assert screen.leads.selected is not None and screen.leads.selected.lead_id == "lead_eve"
        assert screen.leads.cursor == 5
        # The six leads fit on screen, so there is nothing to scroll: the row moves down one lead.
        assert screen.leads.cursor * 2 - int(screen.leads.scroll_offset.y) == on_screen + 2


async def test_deep_in_a_long_list_replies_update_rows_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lead_list_paging, "PAGE", 2)
    monkeypatch.setattr(lead_list_paging, "RELOAD_PAGES", 1)
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_eve")
        screen.post_message(_reply(app, "lead_fay", "+14155550106", "Back from holiday"))
        await settle(pilot)
        await until(pilot, lambda: getattr(screen.leads.row_at(5), "unread", 0) == 1)
        fay = screen.leads.row_at(5)
        assert fay is not None and fay.lead_id == "lead_fay" and fay.preview == "Back from holiday"
        assert screen.leads.cursor == 4 and screen.leads.selected is not None
        assert screen.leads.selected.lead_id == "lead_eve"


def _notes(app: SmsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_retry_of_a_blocked_lead_says_why_and_changes_nothing(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    app.store.set_phone_opt_out("+447400123456", True, now=NOW)  # Cyd opted out since the failure
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_cyd")
        before = app.store.header_counts().failed
        await pilot.press("R")
        await settle(pilot)
        assert app.store.outbox() == []
        assert not any("Sending in" in t for t in bubbles(app))
        assert app.store.header_counts().failed == before
        assert any(note.startswith("Cannot retry:") for note in _notes(app))


async def test_retry_in_quiet_hours_needs_the_override_key(tmp_path: Path) -> None:
    clock = Clock(NOW.replace(hour=23))  # 23:00 in London: Cyd's quiet hours
    app = seeded_app(tmp_path, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_cyd")
        await pilot.press("R")
        await settle(pilot)
        assert app.store.outbox() == []
        assert any("quiet" in note.lower() and "ctrl+o to retry anyway" in note for note in _notes(app))
        await pilot.press("R")  # R again is not an override: one key overrides everywhere
        await settle(pilot)
        assert app.store.outbox() == []
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert [m.text for m in app.store.outbox()] == ["Sure — what time suits?"]


async def test_a_new_filter_or_search_starts_at_the_first_row(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_fay")  # the last of six rows
        await pilot.press("2")  # Unread: Ada, then Bob
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 2)
        assert screen.leads.cursor == 0
        assert screen.leads.selected.lead_id == "lead_ada"  # type: ignore[union-attr]
        await pilot.press("1")  # All again: the top, not the old row
        await settle(pilot)
        await open_lead(pilot, "lead_fay")
        await pilot.press("slash", *"is:unread", "enter")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 2)
        assert screen.leads.cursor == 0
        await until(pilot, lambda: screen.conversation.lead_id == "lead_ada")


async def test_done_again_in_an_is_done_view_undoes_it(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_bob")
        await pilot.press("e")
        await settle(pilot)
        assert lead_row(app, "lead_bob").done
        await pilot.press("slash", *"is:done", "enter")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 1)
        await open_lead(pilot, "lead_bob")
        await pilot.press("e")
        await settle(pilot)
        assert not lead_row(app, "lead_bob").done
        assert any("Not done" in note for note in _notes(app))
        await until(pilot, lambda: screen.leads.total == 0)  # it left the is:done view


async def test_ctrl_o_confirms_a_retry_with_warnings(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_cyd")
        await pilot.press("R")
        await settle(pilot)
        assert app.store.outbox() == []
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert [m.text for m in app.store.outbox()] == ["Sure — what time suits?"]


async def test_a_lead_only_named_by_a_message_says_its_contacts_are_coming_not_that_it_has_no_number(
    tmp_path: Path,
) -> None:
    """During a first sync, messages arrive before their leads: such a lead (a stub) shows the number
    the message came from as its name; its header must not also say it has no phone number."""
    app = seeded_app(tmp_path)
    _reply(app, "lead_new", "+14155550177", "Who is this?")  # a lead the cache has not fetched
    assert app.store.stub_lead_ids() == ["lead_new"]
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_new")
        header = shown(inbox(app).conversation.query_one("#conversation-header"))
        assert "this lead's contacts are still coming from Close" in header
        assert "no phone number" not in header
        await open_lead(pilot, "lead_ada")  # a fetched lead is unchanged
        assert "no phone number" not in shown(inbox(app).conversation.query_one("#conversation-header"))

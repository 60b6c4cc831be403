"""Pilot tests of the composer in a tiny host app: what the rep sees and what it posts."""

from __future__ import annotations

from datetime import UTC, datetime

from sms_tui.config import Settings
from sms_tui.rules import compliance_rules
from sms_tui.ui.widgets.composer import Composer
from tests.ui._composer_host import NIGHT, Host, context, screen_text


async def test_typing_updates_the_counter_and_a_curly_quote_switches_to_ucs2() -> None:
    app = Host(context())
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press(*"hello")
        assert app.line("#composer-counter") == "5/1000 · GSM-7 · 1 segment · 155 left"

        app.composer.input.insert("’")  # what a paste from a word processor brings
        await pilot.pause()
        counter = app.line("#composer-counter")
        assert counter.startswith("6/1000 · UCS-2 · 1 segment · 64 left")
        assert "’ U+2019" in counter
        assert app.query_one("#composer-counter").has_class("-ucs2")


async def test_the_character_forcing_ucs2_is_marked_in_the_text() -> None:
    app = Host(context(), draft="ab’cd")
    async with app.run_test() as pilot:
        await pilot.pause()
        area = app.composer.input
        line = area.get_line(0)
        mark = area.get_component_rich_style("composer-input--ucs2", partial=True)
        marked = {i for span in line.spans if span.style == mark for i in range(span.start, span.end)}
        assert marked == {2}


async def test_segment_boundary_at_160_and_161() -> None:
    app = Host(context(), draft="a" * 159)
    async with app.run_test() as pilot:
        await pilot.press("a")
        assert app.line("#composer-counter") == "160/1000 · GSM-7 · 1 segment · 0 left"
        await pilot.press("a")
        assert app.line("#composer-counter") == "161/1000 · GSM-7 · 2 segments · 145 left"


async def test_ctrl_j_posts_send_requested_with_the_text() -> None:
    app = Host(context())
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press(*"Hi Bob", "enter", *"see you")
        await pilot.press("ctrl+j")
        sent = app.of(Composer.SendRequested)
        assert [(m.lead_id, m.text, m.override_warnings) for m in sent] == [
            ("lead_1", "Hi Bob\nsee you", False)
        ]


async def test_alternative_send_keys_and_the_other_keys_reach_the_composer() -> None:
    app = Host(context(), draft="Hello")
    async with app.run_test(message_hook=app.record) as pilot:
        assert app.focused is app.composer.input
        await pilot.press("alt+enter")
        await pilot.press("!")  # the same text twice would be refused as a double send
        await pilot.press("ctrl+enter")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+t")
        assert len(app.of(Composer.SendRequested)) == 2
        assert [(m.lead_id, m.text) for m in app.of(Composer.ScheduleRequested)] == [("lead_1", "Hello!")]
        assert [m.lead_id for m in app.of(Composer.TemplatesRequested)] == ["lead_1"]
        assert app.composer.text == "Hello!"  # none of them typed into the text


async def test_opted_out_lead_is_blocked_with_the_reason() -> None:
    app = Host(context(opted_out=True), draft="Hi Bob")
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.pause()
        guard = app.line("#composer-guard")
        assert guard.startswith("⛔ Can't send:")
        assert "opted out" in guard
        assert app.composer.has_class("-send-blocked")

        await pilot.press("ctrl+j")
        await pilot.press("ctrl+o")  # override does not beat a block
        assert app.of(Composer.SendRequested) == []
        assert any("opted out" in note for note in app.notes())


async def test_opt_out_arriving_for_the_open_lead_blocks_without_losing_the_text() -> None:
    app = Host(context(), draft="Hi Bob")
    async with app.run_test(message_hook=app.record) as pilot:
        app.composer.set_context(context(opted_out=True))
        await pilot.press("ctrl+j")
        assert app.of(Composer.SendRequested) == []
        assert app.composer.text == "Hi Bob"


async def test_warning_needs_the_override_key() -> None:
    app = Host(context(now=NIGHT), draft="Hi Bob, this is Dana")
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.pause()
        assert app.line("#composer-guard").startswith("⚠ ctrl+o sends anyway · Quiet hours: it is 23:00")

        await pilot.press("ctrl+j")
        assert app.of(Composer.SendRequested) == []
        assert any("ctrl+o to send anyway" in note for note in app.notes())

        await pilot.press("ctrl+o")
        sent = app.of(Composer.SendRequested)
        assert [(m.text, m.override_warnings) for m in sent] == [("Hi Bob, this is Dana", True)]


async def test_empty_text_is_a_quiet_hint_and_send_does_nothing() -> None:
    app = Host(context())
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press("space", "ctrl+j")
        guard = app.line("#composer-guard")
        assert "ctrl+j send" in guard and "⛔" not in guard
        assert not app.query_one("#composer-guard").has_class("-blocked")
        assert app.of(Composer.SendRequested) == []
        assert app.notes() == []


async def test_over_1000_characters_turns_the_counter_red_and_blocks_send() -> None:
    app = Host(context(), draft="x" * 1000)
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press("y")
        counter = app.query_one("#composer-counter")
        assert app.line("#composer-counter").startswith("1001/1000")
        assert app.line("#composer-counter").endswith(" · 1 over the limit")
        assert " left" not in app.line("#composer-counter")  # nothing is "left" past the limit
        assert counter.has_class("-over-limit")
        await pilot.press("ctrl+j")
        assert app.of(Composer.SendRequested) == []
        assert "1,001 characters" in app.line("#composer-guard")


async def test_gsm_rewrite_changes_the_text_and_reports_saved_segments() -> None:
    text = "It’s ready — " + "a" * 60  # 73 chars: 2 UCS-2 segments, 1 GSM-7 segment
    app = Host(context(), draft=text)
    async with app.run_test(message_hook=app.record) as pilot:
        assert "2 segments" in app.line("#composer-counter")
        await pilot.press("ctrl+g")
        assert app.composer.text == "It's ready - " + "a" * 60
        assert app.line("#composer-counter").startswith("73/1000 · GSM-7 · 1 segment")
        assert any("2 → 1 segments, saves 1 segment" in note for note in app.notes())

        await pilot.press("ctrl+z")  # one edit: undo brings the original back
        assert app.composer.text == text


async def test_gsm_rewrite_says_what_it_cannot_fix() -> None:
    app = Host(context(), draft="Great 😀")
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press("ctrl+g")
        assert app.composer.text == "Great 😀"
        assert any("U+1F600" in note for note in app.notes())


async def test_draft_changed_on_edits_not_on_load_and_flushed_on_lead_switch() -> None:
    app = Host(context("lead_1"), draft="saved")
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.pause()
        assert app.of(Composer.DraftChanged) == []  # loading a saved draft is not a change

        await pilot.press("!")
        # Switch before the TextArea.Changed of the last keystroke is handled.
        app.composer.input.insert("?")
        app.composer.set_context(context("lead_2"), "other draft")
        await pilot.pause()
        drafts = [(m.lead_id, m.text) for m in app.of(Composer.DraftChanged)]
        assert drafts[-1] == ("lead_1", "saved!?")
        assert all(lead == "lead_1" for lead, _ in drafts)
        assert app.composer.text == "other draft"


async def test_clear_and_restore_for_undo_send() -> None:
    app = Host(context(), draft="First message")
    async with app.run_test(message_hook=app.record) as pilot:
        app.composer.clear()
        await pilot.press(*"more")
        app.composer.restore("First message")
        await pilot.pause()
        assert app.composer.text == "First message\n\nmore"
        assert app.of(Composer.DraftChanged)[-1].text == "First message\n\nmore"


async def test_insert_puts_text_at_the_cursor() -> None:
    app = Host(context(), draft="Hi ")
    async with app.run_test() as pilot:
        app.composer.insert("Bob")
        await pilot.pause()
        assert app.composer.text == "Hi Bob"


async def test_insert_after_a_word_adds_one_space() -> None:
    app = Host(context(), draft="new draft")
    async with app.run_test() as pilot:
        app.composer.insert("Hi Daniel")
        await pilot.pause()
        assert app.composer.text == "new draft Hi Daniel"


async def test_insert_into_an_empty_composer_adds_nothing() -> None:
    app = Host(context())
    async with app.run_test() as pilot:
        app.composer.insert("Hi Daniel")
        await pilot.pause()
        assert app.composer.text == "Hi Daniel"


async def test_names_with_markup_are_shown_as_typed() -> None:
    app = Host(context(contact_name="Bob [VIP] [/]"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.line("#composer-route") == "From +1 415-555-0100 · To Bob [VIP] [/] +1 312-555-0123"


async def test_no_context_means_nothing_is_sent() -> None:
    app = Host(None)
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press(*"hi", "ctrl+j")
        assert "No conversation selected." in screen_text(app)  # the placeholder
        assert app.composer.text == ""  # nowhere to keep it, so it is not typed
        assert app.of(Composer.SendRequested) == []

        app.composer.set_context(context(), "draft")
        await pilot.press("!")
        assert app.composer.text == "draft!"


async def test_send_key_can_be_remapped_and_the_hint_follows() -> None:
    app = Host(context(), draft="Hi")
    async with app.run_test(message_hook=app.record) as pilot:
        app.set_keymap({"composer.send": "f9"})
        await pilot.pause()
        await pilot.press("f9")
        assert len(app.of(Composer.SendRequested)) == 1
        assert "f9 send" in app.line("#composer-guard")


async def test_send_strips_surrounding_blank_space_and_the_counter_agrees() -> None:
    app = Host(context())
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press(*"  hi", "enter", "enter")
        assert app.line("#composer-counter").startswith("2/1000")
        await pilot.press("ctrl+j")
        assert [m.text for m in app.of(Composer.SendRequested)] == ["hi"]


async def test_pressing_send_twice_queues_once_until_the_text_changes() -> None:
    app = Host(context(), draft="Hi Bob")
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.press("ctrl+j", "ctrl+j")
        assert len(app.of(Composer.SendRequested)) == 1
        assert any("already on its way" in note for note in app.notes())

        await pilot.press("!", "ctrl+j")
        assert [m.text for m in app.of(Composer.SendRequested)] == ["Hi Bob", "Hi Bob!"]


async def test_no_sending_number_for_the_country_is_said_plainly() -> None:
    app = Host(context(to_number="+61480976855", from_number=None), draft="G'day")
    async with app.run_test(message_hook=app.record) as pilot:
        await pilot.pause()
        assert app.line("#composer-guard") == (
            "⛔ Can't send: We have no sending number in Australia; add one in Close to text this lead."
        )
        assert app.line("#composer-route").startswith("From — (none) · To Bob Smith +61 480 976 855")


async def test_first_message_naming_the_rep_by_first_name_identifies_us() -> None:
    ctx = context(first_message=True, user_name="Dana Smith", org_name="Acme Inc.")
    app = Host(ctx, draft="Hi Bob, Dana here. Reply STOP to opt out.")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.line("#composer-guard") == "Ready · ctrl+j send"
        app.composer.load("Hi Bob, quick question about Acme's offer.")
        assert "does not say who is writing" not in app.line("#composer-guard")
        app.composer.load("Hi Bob, quick question. Reply STOP to opt out.")
        assert "does not say who is writing" in app.line("#composer-guard")


async def test_configured_quiet_hours_warn_where_the_default_would_not() -> None:
    """[quiet_hours] start = "18:00", end = "09:00": 18:30 in Chicago is quiet for this lead."""
    office = compliance_rules(Settings(quiet_hours={"start": "18:00", "end": "09:00"}))
    evening = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # Monday 18:30 in Chicago
    app = Host(context(now=evening, rules=office), draft="Hi Bob, this is Dana")
    async with app.run_test() as pilot:
        await pilot.pause()
        guard = app.line("#composer-guard")
        assert guard.startswith("⚠ ctrl+o sends anyway · Quiet hours: it is 18:30 on Monday")
        assert "09:00–18:00" in guard
        app.composer.set_context(context(now=evening), "Hi Bob, this is Dana")  # default rules
        await pilot.pause()
        assert app.line("#composer-guard") == "Ready · ctrl+j send"


async def test_moving_between_leads_without_drafts_leaves_the_empty_field_as_it_is() -> None:
    """No draft here, none there: the field is not loaded again (a reload re-renders it on
    every `j`); the route line still follows the lead."""
    app = Host(context("lead_1"))
    async with app.run_test() as pilot:
        await pilot.pause()
        area = app.composer.input
        loads: list[str] = []
        textuals = area.load_text

        def load_text(text: str) -> None:
            loads.append(text)
            textuals(text)

        area.load_text = load_text  # type: ignore[method-assign]
        app.composer.set_context(context("lead_2", to_number="+13125550199"), "")
        await pilot.pause()
        assert loads == [] and area.text == ""
        assert "+1 312-555-0199" in app.line("#composer-route")


async def test_a_field_emptied_by_hand_is_loaded_again_undo_stays_with_its_lead() -> None:
    app = Host(context("lead_1"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("h", "i", "backspace", "backspace")  # typed, then deleted: undo remembers
        assert app.composer.input.text == "" and app.composer.input.history.undo_stack
        app.composer.set_context(context("lead_2"), "")
        await pilot.pause()
        assert not app.composer.input.history.undo_stack
        await pilot.press("ctrl+z")
        assert app.composer.input.text == ""

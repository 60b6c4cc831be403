"""The inbox screen's keys: one table, so the screen, the help and the keymap read the same ids.

`InboxScreen.BINDINGS` is this list; `check_action` (`inbox_actions.py`) says when each applies.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from sms_tui.ui.widgets.search_bar import QUICK_FILTERS


def _filter_binding(index: int) -> Binding:
    quick = QUICK_FILTERS[index]
    return Binding(
        quick.key,
        f"filter({index})",
        f"Filter: {quick.label}",
        show=False,
        id=f"inbox.filter_{quick.label.lower().replace(' ', '_')}",
        tooltip=f"Show {quick.label.lower()} leads" + (f" ({quick.query})" if quick.query else ""),
    )


INBOX_BINDINGS: list[BindingType] = [
    Binding(
        "ctrl+z",
        "undo_send",
        "Undo send",
        priority=True,
        id="inbox.undo_send",
        tooltip="Take back the message waiting out the undo delay (its text returns to the composer); "
        "with none waiting, undo the last triage key.",
    ),
    Binding(
        "U,shift+u",
        "undo_triage",
        "Undo triage",
        show=False,
        id="inbox.undo_triage",
        tooltip="Undo the last done, snooze, read/unread or cancel-scheduled (ctrl+z with no send waiting).",
    ),
    Binding("enter,r", "reply", "Reply", id="inbox.reply", tooltip="Write to the selected lead."),
    Binding(
        "ctrl+f",
        "pick_route",
        "From/To",
        show=False,  # the composer's From … To … line names this key
        id="inbox.pick_route",
        tooltip="Choose the contact and phone to text and our number to send from (kept for this lead).",
    ),
    Binding(
        "i",
        "details",
        "Lead details",
        show=False,
        id="inbox.details",
        tooltip="Every contact and phone of the lead (line type, country, their time, textable) and counts.",
    ),
    Binding("escape", "leads", "Leads", show=False, id="inbox.leads", tooltip="Back to the lead list."),
    Binding(
        "n",
        "next_unread",
        "Next unread",
        show=False,  # the footer fits 80 columns without it (quit is not cut); `?` lists it
        id="inbox.next_unread",
        tooltip="Jump to the next unread lead.",
    ),
    Binding(
        "m",
        "mark_read",
        "Mark read",
        show=False,
        id="inbox.mark_read",
        tooltip="Mark this conversation read (opening it does not).",
    ),
    Binding("u", "mark_unread", "Mark unread", show=False, id="inbox.mark_unread"),
    Binding(
        "e",
        "done",
        "Done",
        id="inbox.done",
        tooltip="Archive the lead: it leaves the list until it writes. On a done lead (is:done): undo.",
    ),
    Binding(
        "z",
        "snooze",
        "Snooze",
        id="inbox.snooze",
        tooltip="Hide the lead until a time; it comes back when due.",
    ),
    Binding("slash", "search", "Search", id="inbox.search", tooltip="Search with the query language."),
    *[_filter_binding(i) for i in range(len(QUICK_FILTERS))],
    Binding(
        "R,shift+r",
        "retry",
        "Retry failed",
        show=False,
        id="inbox.retry",
        tooltip="Send the failed message again (through the same guard).",
    ),
    Binding(
        "ctrl+o",
        "retry_anyway",
        "Retry anyway",
        show=False,
        id="inbox.retry_anyway",
        tooltip="Confirm a retry despite its warnings (quiet hours…); blocks cannot be overridden.",
    ),
    Binding(
        "x",
        "cancel_scheduled",
        "Cancel scheduled",
        show=False,
        id="inbox.cancel_scheduled",
        tooltip="Cancel the scheduled message; its text becomes the draft.",
    ),
    Binding(
        "left_square_bracket",
        "scroll_conversation(-1)",
        "Scroll messages up",
        show=False,
        id="inbox.scroll_up",
    ),
    Binding(
        "right_square_bracket",
        "scroll_conversation(1)",
        "Scroll messages down",
        show=False,
        id="inbox.scroll_down",
    ),
    Binding(
        "o",
        "older",
        "Older messages",
        show=False,
        id="inbox.older",
        tooltip="Show the page of messages before the oldest one shown.",
    ),
    Binding(
        "a",
        "attachments",
        "Attachments",
        show=False,
        id="inbox.attachments",
        tooltip="The conversation's files: enter downloads and opens one, p shows a picture in the terminal.",
    ),
    Binding(
        "ctrl+r",
        "refresh",
        "Refresh",
        show=False,
        id="inbox.refresh",
        tooltip="Reload the list and poll now.",
    ),
    Binding(
        "b",
        "bulk",
        "Bulk text",
        show=False,
        id="inbox.bulk",
        tooltip="Write one text to every marked lead (space marks, * marks the whole search), preview each.",
    ),
    Binding(
        "B,shift+b",
        "campaigns",
        "Campaigns",
        show=False,
        id="inbox.campaigns",
        tooltip="Bulk campaigns: progress, pause, resume, cancel, report, CSV.",
    ),
    Binding("question_mark", "help", "Help", id="inbox.help", tooltip="All keys."),
]

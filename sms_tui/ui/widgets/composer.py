"""The composer: where a rep writes one SMS, sees what it costs and whether it may go.

Layout (top to bottom): the text (`ComposerInput`, a soft-wrapping TextArea that
highlights characters forcing UCS-2), the counter line, the guard line (compliance
blocks / warnings / a quiet hint) and the route line (From … · To …).

Data flow (attributes down, messages up): the screen calls `set_context(ctx, draft)`
when the lead changes and `clear()` / `restore(text)` around a send; the composer posts
`SendRequested`, `ScheduleRequested`, `TemplatesRequested` and `DraftChanged`. It never
touches the store. The counter and the guard call the same pure functions the sync
engine uses (`core.segments`, `core.compliance`), so what the rep sees is what is enforced.

Its parts: `composer_input.py` (the text field), `composer_keys.py` (the bindings),
`composer_actions.py` (what the keys do: send, schedule, attach, templates, GSM-safe),
`composer_lines.py` and `counter.py` (what the lines say), `composer_context.py` (the lead's
context and the guard's inputs, no Textual).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static, TextArea

from sms_tui.core import mms, segments
from sms_tui.core.compliance import SendCheck
from sms_tui.core.models import Attachment
from sms_tui.ui.widgets.composer_actions import ComposerActions
from sms_tui.ui.widgets.composer_context import ComposerContext, run_check
from sms_tui.ui.widgets.composer_input import ComposerInput
from sms_tui.ui.widgets.composer_keys import COMPOSER_BINDINGS
from sms_tui.ui.widgets.composer_lines import guard_content, route_line, update_line
from sms_tui.ui.widgets.counter import counter_content, mms_content

#: How often the guard line is re-judged without typing (quiet hours follow the clock).
GUARD_REFRESH_SECONDS = 30.0


class Composer(ComposerActions, Widget):
    """Multi-line SMS composer with live segment counter and send guard."""

    DEFAULT_CSS = """
    Composer {
        height: auto;
        max-height: 60%;
        padding: 0 1;
    }
    Composer > ComposerInput {
        height: auto;
        min-height: 3;
        max-height: 8;  /* a long text scrolls inside; the conversation keeps its room at 80x24 */
    }
    Composer > .composer--line {
        height: auto;
        color: $text-muted;
    }
    Composer > #composer-mms {  /* one line, even at 80x24: the From/To line keeps its room */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    Composer > #composer-counter.-over-limit {
        color: $error;
        text-style: bold;
    }
    Composer > #composer-counter.-ucs2 {
        color: $text-warning;
    }
    Composer > #composer-guard.-blocked {
        color: $text-error;
    }
    Composer > #composer-guard.-warning {
        color: $text-warning;
    }
    """

    BINDINGS = COMPOSER_BINDINGS

    class SendRequested(Message):
        """The rep asked to send `text` to `lead_id`; the screen puts it in the outbox."""

        def __init__(
            self, lead_id: str, text: str, override_warnings: bool, attachments: tuple[Attachment, ...] = ()
        ) -> None:
            super().__init__()
            self.lead_id = lead_id
            self.text = text
            #: True when the rep saw warnings and chose to send anyway.
            self.override_warnings = override_warnings
            #: the files attached (an MMS), each with `local_path` (or a template's `url`)
            self.attachments = attachments

    class ScheduleRequested(Message):
        """The rep asked to schedule `text`; the screen opens the schedule dialog."""

        def __init__(self, lead_id: str, text: str, attachments: tuple[Attachment, ...] = ()) -> None:
            super().__init__()
            self.lead_id = lead_id
            self.text = text
            #: the files attached (an MMS scheduled with them)
            self.attachments = attachments

    class DraftChanged(Message):
        """The text for `lead_id` changed by the rep's hand; the screen debounces saving it."""

        def __init__(self, lead_id: str, text: str) -> None:
            super().__init__()
            self.lead_id = lead_id
            self.text = text

    class AttachRequested(Message):
        """The rep asked to attach a file; the screen opens the attach dialog and calls
        `set_attachments` with what the rep chose."""

        def __init__(self, lead_id: str, attachments: tuple[Attachment, ...]) -> None:
            super().__init__()
            self.lead_id = lead_id
            self.attachments = attachments

    class TemplatesRequested(Message):
        """The rep asked for the template picker; the screen opens it and calls `insert`."""

        def __init__(self, lead_id: str) -> None:
            super().__init__()
            self.lead_id = lead_id

    def __init__(
        self,
        context: ComposerContext | None = None,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own keyword
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._ctx = context
        self._check: SendCheck | None = None
        #: (lead_id, text) last announced or loaded: DraftChanged only fires on a real difference.
        self._draft_seen: tuple[str | None, str] = (context.lead_id if context else None, "")
        #: (lead_id, text) of the last SendRequested: pressing send twice must not queue it twice.
        self._sent: tuple[str, str] | None = None
        #: binding id -> key as currently bound (keymap applied), for the hints.
        self._keys: dict[str, str] = {}
        #: lead_id -> the files attached to the message being written to that lead.
        self._attached: dict[str, tuple[Attachment, ...]] = {}

    def compose(self) -> ComposeResult:
        yield ComposerInput(
            id="composer-input",
            soft_wrap=True,
            tab_behavior="focus",
            placeholder="Write a message…",
        )
        yield Static(id="composer-counter", classes="composer--line", markup=False)
        yield Static(id="composer-mms", classes="composer--line", markup=False)
        yield Static(id="composer-guard", classes="composer--line", markup=False)
        yield Static(id="composer-route", classes="composer--line", markup=False)

    def on_mount(self) -> None:
        if self._ctx is None:
            self.input.read_only = True
            self.input.placeholder = "No conversation selected."
        # Key hints follow the keymap; re-read them only when the bindings change, not per keystroke.
        self.screen.bindings_updated_signal.subscribe(self, self._on_bindings_updated)
        self._keys = self._read_keys()
        self._refresh_state()
        # Quiet hours start and end while a draft sits there: re-judge it now and then (cheap, no I/O).
        self.set_interval(GUARD_REFRESH_SECONDS, self._refresh_state, name="composer-guard")

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    # -- public API ---------------------------------------------------------------

    @property
    def input(self) -> ComposerInput:
        """The text area (focus it to type)."""
        return self.query_one("#composer-input", ComposerInput)

    @property
    def context(self) -> ComposerContext | None:
        return self._ctx

    @property
    def text(self) -> str:
        """The text as typed (what the draft keeps)."""
        return self.input.text

    @property
    def outgoing(self) -> str:
        """What would be sent: the text without leading/trailing blank space.

        The counter and the guard judge exactly this, so what is counted is what is sent.
        """
        return self.input.text.strip()

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        """The files attached to this lead's message (an MMS when any)."""
        lead_id = self._lead_id
        return self._attached.get(lead_id, ()) if lead_id is not None else ()

    def set_attachments(self, attachments: tuple[Attachment, ...], *, lead_id: str | None = None) -> None:
        """Attach these files (replacing those attached) to this lead's message, or to `lead_id`'s
        (an undone send of another lead): the counter and the guard judge them."""
        lead_id = lead_id or self._lead_id
        if lead_id is None:
            return
        if attachments:
            self._attached[lead_id] = tuple(attachments)
        else:
            self._attached.pop(lead_id, None)
        self._sent = None
        self._refresh_state()

    @property
    def send_check(self) -> SendCheck | None:
        """The last guard verdict for the current text (None without a context)."""
        return self._check

    def set_context(self, context: ComposerContext | None, draft: str | None = None) -> None:
        """Point the composer at a lead.

        Switching to another lead first announces the outgoing lead's unsaved text (so a
        fast switch never loses the last keystrokes), then shows `draft` (or nothing).
        Same lead (e.g. it just opted out): keeps the text, re-runs the guard.
        """
        old = self._ctx
        switching = old is None or context is None or old.lead_id != context.lead_id
        if switching and old is not None:
            self._announce_draft()
        self._ctx = context
        # Without a lead there is nowhere to keep what is typed: do not let the rep type.
        self.input.read_only = context is None
        self.input.placeholder = "Write a message…" if context is not None else "No conversation selected."
        if switching:
            self.load(draft or "")
        elif draft is not None:
            self.load(draft)
        else:
            self._refresh_state()

    def load(self, text: str) -> None:
        """Show `text` as this lead's saved draft (no DraftChanged: the store already has it)."""
        self._draft_seen = (self._lead_id, text)
        self._sent = None
        area = self.input
        history = area.history
        if text or area.text or history.undo_stack or history.redo_stack:
            area.load_text(text)
            area.move_cursor(area.document.end)
        # else an empty field with nothing to undo stays as it is: loading it again re-renders
        # the field (~1 ms of a `j` from one lead without a draft to the next)
        self._refresh_state()

    def restore(self, text: str, *, focus: bool = True) -> None:
        """Put an undone send back. Text typed since is kept below it, never lost.

        `focus=False` leaves focus where it is (a key pressed in the list must not move it)."""
        current = self.text
        merged = text if not current.strip() else f"{text}\n\n{current}"
        self._sent = None
        area = self.input
        area.load_text(merged)
        area.move_cursor(area.document.end)
        if focus:
            area.focus()
        self._refresh_state()
        self._announce_draft()

    def clear(self) -> None:
        """Empty the composer after a send (no DraftChanged: the screen just used the text)."""
        self._draft_seen = (self._lead_id, "")
        self._sent = None
        if self._lead_id is not None:
            self._attached.pop(self._lead_id, None)
        self.input.clear()
        self._refresh_state()

    def insert(self, text: str) -> None:
        """Insert `text` at the cursor (e.g. a rendered template); counts as the rep's edit.

        Right after a word it adds one space, so a template never glues onto the draft.
        """
        area = self.input
        start, end = sorted(area.selection)
        before = area.get_text_range((0, 0), start)
        if text and before and not before[-1].isspace() and not text[0].isspace():
            text = " " + text  # "new draft Hi Dana…", not "new draftHi Dana…"
        area.replace(text, start, end)
        area.focus()

    def focus(self, scroll_visible: bool = True) -> Composer:
        """Focusing the composer focuses its text."""
        self.input.focus(scroll_visible)
        return self

    # -- internals ----------------------------------------------------------------------

    @property
    def _lead_id(self) -> str | None:
        return self._ctx.lead_id if self._ctx else None

    def _announce_draft(self) -> None:
        lead_id = self._lead_id
        if lead_id is None:
            return
        text = self.text
        if (lead_id, text) != self._draft_seen:
            self._draft_seen = (lead_id, text)
            self.post_message(self.DraftChanged(lead_id, text))

    @on(TextArea.Changed, "#composer-input")
    def _on_text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._sent is not None and self._sent != (self._lead_id, self._send_key):
            self._sent = None
        self._refresh_state()
        self._announce_draft()

    def _on_bindings_updated(self, _screen: object) -> None:
        keys = self._read_keys()
        if keys != self._keys:
            self._keys = keys
            self._refresh_state()

    def _refresh_state(self) -> None:
        if not self.is_mounted:
            return
        text = self.outgoing
        info = segments.analyze(text)
        context = self._ctx
        attachments = self.attachments
        self._check = run_check(text, context, attachments=attachments) if context is not None else None

        counter = self.query_one("#composer-counter", Static)
        update_line(counter, counter_content(info, self._key("composer.gsm_safe", "ctrl+g")))
        counter.set_class(info.over_limit, "-over-limit")
        counter.set_class(info.encoding == "UCS-2" and not info.over_limit, "-ucs2")

        mms_line = self.query_one("#composer-mms", Static)
        rules = context.mms_rules if context is not None else mms.DEFAULT_MMS_RULES
        update_line(
            mms_line, mms_content(attachments, info.segments, rules, self._key("composer.attach", "ctrl+n"))
        )
        mms_line.display = bool(attachments)

        guard = self.query_one("#composer-guard", Static)
        update_line(guard, guard_content(context is not None, self._check, text or self._send_key, self._key))
        blocked = self._check is None or bool(self._check.blocks)
        guard.set_class(blocked and context is not None and bool(text or attachments), "-blocked")
        guard.set_class(not blocked and bool(self._check and self._check.warnings), "-warning")
        self.set_class(blocked, "-send-blocked")

        route = self.query_one("#composer-route", Static)
        update_line(route, route_line(context))

    def _key(self, binding_id: str, default: str) -> str:
        """The key bound to `binding_id` (the keymap's, once seen in the focus chain)."""
        return self._keys.get(binding_id, default)

    def _read_keys(self) -> dict[str, str]:
        """First key of each of our bindings among the screen's active ones (keymap applied).

        Our bindings are active only while focus is inside the composer; until then (and if
        the rep never focuses it) the defaults are shown.
        """
        keys: dict[str, str] = {}
        for key, active in self.screen.active_bindings.items():
            binding_id = active.binding.id
            if active.node is self and binding_id and binding_id not in keys:
                keys[binding_id] = key
        return keys or self._keys

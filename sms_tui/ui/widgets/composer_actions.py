"""The composer's keys: what send, send anyway, schedule, attach, templates and GSM-safe do.

`ComposerActions` is a mixin of `Composer` (`composer.py`). The composer keeps the text, the
lead's context, the draft and the lines under the text; this part turns a key into a request to
the screen (`SendRequested`, `ScheduleRequested`, `AttachRequested`, `TemplatesRequested`, the
messages nested in `Composer`) or into the GSM-safe rewrite. A send goes only behind the guard
(blocks explained, warnings confirmed with send-anyway) and only once per text and files
(`_sent`, kept by the composer, which forgets it when the text changes). It is separate because
it is what happens when the rep asks for something, not what the composer shows as they type: of
this part only `_send_key` is read as the rep types (by the guard line and the text's change).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from sms_tui.core import segments
from sms_tui.core.compliance import Issue, SendCheck
from sms_tui.core.models import Attachment
from sms_tui.ui.text import visible
from sms_tui.ui.widgets.composer_context import QUIET_HOURS_CODE, ComposerContext
from sms_tui.ui.widgets.composer_lines import forcing_summary, issues_sentence, plural

if TYPE_CHECKING:
    from textual.widget import Widget

    from sms_tui.ui.widgets.composer_input import ComposerInput

    _Widget = Widget
else:
    _Widget = object


class ComposerActions(_Widget):
    """The composer's key actions and its send path (mixed into `Composer`)."""

    if TYPE_CHECKING:  # what the keys use of the composer (`composer.py`)
        _ctx: ComposerContext | None
        _sent: tuple[str, str] | None
        _check: SendCheck | None
        SendRequested: Callable[[str, str, bool, tuple[Attachment, ...]], Message]
        ScheduleRequested: Callable[[str, str, tuple[Attachment, ...]], Message]
        AttachRequested: Callable[[str, tuple[Attachment, ...]], Message]
        TemplatesRequested: Callable[[str], Message]

        @property
        def input(self) -> ComposerInput: ...
        @property
        def text(self) -> str: ...
        @property
        def outgoing(self) -> str: ...
        @property
        def attachments(self) -> tuple[Attachment, ...]: ...
        def _refresh_state(self) -> None: ...
        def _key(self, binding_id: str, default: str) -> str: ...

    # -- the keys ----------------------------------------------------------------------------------

    def action_send(self) -> None:
        self._try_send(override=False)

    def action_send_anyway(self) -> None:
        self._try_send(override=True)

    def action_schedule(self) -> None:
        ready = self._what_to_send()
        if ready is None:
            return
        context, text, check = ready
        # Quiet hours are judged for the chosen moment by the dialog, not for now.
        blocks = [issue for issue in check.blocks if issue.code != QUIET_HOURS_CODE]
        if blocks:
            self._explain_blocks(blocks)
            return
        self.post_message(self.ScheduleRequested(context.lead_id, text, self.attachments))

    def action_attach(self) -> None:
        if self._ctx is None:
            self.notify("Pick a conversation first.", markup=False)
            return
        self.post_message(self.AttachRequested(self._ctx.lead_id, self.attachments))

    def action_templates(self) -> None:
        if self._ctx is None:
            self.notify("Pick a conversation first.", markup=False)
            return
        self.post_message(self.TemplatesRequested(self._ctx.lead_id))

    def action_gsm_safe(self) -> None:
        text = self.text
        rewrite = segments.gsm_safe(text)
        if not rewrite.changed:
            info = segments.analyze(text)
            if info.encoding == "GSM-7":
                self.notify("Already GSM-7: nothing to rewrite.", markup=False)
            else:
                self.notify(
                    "Nothing the GSM-safe rewrite can replace; still UCS-2 because of "
                    + forcing_summary(info),
                    severity="warning",
                    markup=False,
                )
            return
        area = self.input
        # One recorded edit, so ctrl+z undoes the whole rewrite.
        area.replace(rewrite.text, (0, 0), area.document.end)
        saved = rewrite.saved
        before, after = rewrite.segments_before, rewrite.segments_after
        if saved > 0:
            message = f"GSM-safe rewrite: {before} → {after} segments, saves {plural(saved, 'segment')}."
        else:
            message = f"GSM-safe rewrite applied; still {plural(after, 'segment')} (saves none)."
        after_info = segments.analyze(rewrite.text)
        if after_info.encoding == "UCS-2":
            message += " Still UCS-2 because of " + forcing_summary(after_info)
        self.notify(message, title="GSM-safe", markup=False)

    # -- sending: once per text, behind the guard --------------------------------------------------

    def _what_to_send(self) -> tuple[ComposerContext, str, SendCheck] | None:
        """The conversation, the text and the guard's word on it that a send or a schedule starts
        from; None when there is nothing to send (said when no conversation is open; with an empty
        text the quiet hint already says what to do)."""
        context = self._ctx
        if context is None:
            self.notify("Pick a conversation first.", markup=False)
            return None
        text = self.outgoing
        check = self._recheck()
        if not text and not self.attachments:
            return None
        return context, text, check

    def _try_send(self, *, override: bool) -> None:
        ready = self._what_to_send()
        if ready is None:
            return
        context, text, check = ready
        attachments = self.attachments
        if self._sent == (context.lead_id, self._send_key):
            self.notify(
                "This text is already on its way; change it to send it again.",
                severity="warning",
                markup=False,
            )
            return
        if check.blocks:
            self._explain_blocks(list(check.blocks))
            return
        if check.warnings and not override:
            self.notify(
                issues_sentence(check.warnings)
                + f" Press {self._key('composer.send_anyway', 'ctrl+o')} to send anyway.",
                title="Not sent yet",
                severity="warning",
                markup=False,
            )
            return
        self._sent = (context.lead_id, self._send_key)
        self.post_message(self.SendRequested(context.lead_id, text, bool(check.warnings), attachments))

    @property
    def _send_key(self) -> str:
        """What a second send press compares: the text and the files attached."""
        return self.outgoing + "".join(f"\x00{a.local_path or a.url}" for a in self.attachments)

    def _explain_blocks(self, blocks: list[Issue]) -> None:
        self.notify(visible(issues_sentence(blocks)), title="Can't send", severity="error", markup=False)

    def _recheck(self) -> SendCheck:
        self._refresh_state()
        assert self._check is not None
        return self._check

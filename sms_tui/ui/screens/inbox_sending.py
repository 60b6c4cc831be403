"""The inbox's outbox side: send with undo, retry, schedule and cancel, templates, drafts.

Every store write runs in a thread worker; the result comes back with `call_from_thread`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from textual import on, work

from sms_tui.ui.messages import OutboxChanged
from sms_tui.ui.screens.inbox_base import InboxBase
from sms_tui.ui.text import visible
from sms_tui.ui.widgets.composer import Composer
from sms_tui.ui.widgets.composer_context import run_check

DRAFT_DEBOUNCE = 0.4
#: Seconds a retry with warnings waits for its confirming second press.
RETRY_CONFIRM_SECONDS = 5.0


class SendingScreen(InboxBase):
    """Outbox actions of the inbox (bindings live on `InboxScreen`)."""

    # -- sending --------------------------------------------------------------------------

    @on(Composer.SendRequested)
    def _send(self, event: Composer.SendRequested) -> None:
        event.stop()
        context = self.composer.context
        if context is None or context.lead_id != event.lead_id:
            return
        self.composer.clear()
        self._drafts.pop(event.lead_id, None)
        self.conversation.follow()  # the rep wants to see the message they just sent
        self._enqueue(event.lead_id, event.text, context)

    @work(thread=True, group="outbox", exit_on_error=False, description="Queue a message")
    def _enqueue(self, lead_id: str, text: str, context: Any) -> None:
        app = self.sms_app
        now = app.now()
        send_at = now + timedelta(seconds=app.undo_seconds)
        try:
            local_id = app.store.enqueue_send(
                lead_id=lead_id,
                text=text,
                contact_id=context.contact_id,
                local_phone=context.from_number or "",
                remote_phone=context.to_number or "",
                send_at=send_at,
                now=now,
            )
        except Exception:  # e.g. a full disk: nothing was queued, so the text goes back (then the toast)
            self.app.call_from_thread(self._give_back, lead_id, text)
            raise
        app.store.save_draft(lead_id, "")
        app.store.mark_read(lead_id)  # replying is acting on it
        self.app.call_from_thread(self._queued, lead_id, local_id, send_at)

    def _give_back(self, lead_id: str, text: str) -> None:
        """A text that could not be queued returns to its lead's composer (or unsaved draft)."""
        context = self.composer.context
        if context is not None and context.lead_id == lead_id:
            self.composer.restore(text)
        else:
            self._drafts[lead_id] = text

    def _queued(self, lead_id: str, local_id: int, send_at: datetime) -> None:
        self.pending = {**self.pending, local_id: (lead_id, send_at)}
        self.sms_app.push_after(self.sms_app.undo_seconds)
        self.post_message(OutboxChanged(lead_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_send":
            return bool(self.pending)  # False hides it and lets TextArea's ctrl+z through
        if action == "retry_anyway":
            return self._retry_confirm is not None
        if action in ("retry", "cancel_scheduled"):
            want = ("error", "blocked") if action == "retry" else ("scheduled",)
            return None if self._latest(want) is None else True
        if action in ("mark_read", "mark_unread", "done", "snooze", "reply") and self._lead_id is None:
            return None
        return True

    def action_undo_send(self) -> None:
        if not self.pending:
            return
        local_id = max(self.pending, key=lambda k: self.pending[k][1])
        lead_id, _ = self.pending[local_id]
        self.pending = {k: v for k, v in self.pending.items() if k != local_id}
        self._undo(local_id, lead_id)

    @work(thread=True, group="outbox", exit_on_error=False, description="Undo send")
    def _undo(self, local_id: int, lead_id: str) -> None:
        text = self.sms_app.store.undo_send(local_id)
        self.app.call_from_thread(self._undone, lead_id, text)

    def _undone(self, lead_id: str, text: str | None) -> None:
        if text is None:
            self.notify("Too late to undo: it is already on its way.", severity="warning", markup=False)
        elif lead_id == self._lead_id:
            self.composer.restore(text)
            self.notify("Send undone — the text is back in the composer.", markup=False, timeout=3)
        else:
            self._drafts[lead_id] = text
            self._save_draft(lead_id, text)
            self.notify("Send undone — the text is back in that lead's draft.", markup=False)
        self.post_message(OutboxChanged(lead_id))

    def action_retry(self) -> None:
        """Retry the latest failed message, through the composer's guard, before touching the store.

        A block (no sending number, opted out, unsupported country…) cannot be retried: say why and
        change nothing. Warnings (quiet hours…) need a confirming second press (or `retry_anyway`)
        within `RETRY_CONFIRM_SECONDS`, like the composer's send-anyway.
        """
        message = self._latest(("error", "blocked"))
        context = self.composer.context
        if message is None or context is None or context.lead_id != message.lead_id:
            return
        check = run_check(message.text, context)
        if check.blocks:
            self._retry_confirm = None
            reasons = " ".join(issue.message for issue in check.blocks)
            self.notify(visible(f"Cannot retry: {reasons}"), severity="error", markup=False)
            return
        now = self.sms_app.now()
        pending = self._retry_confirm
        confirmed = pending is not None and pending[0] == message.local_id and now <= pending[1]
        if check.warnings and not confirmed:
            self._retry_confirm = (message.local_id, now + timedelta(seconds=RETRY_CONFIRM_SECONDS))
            warnings = " ".join(issue.message for issue in check.warnings)
            self.notify(
                visible(f"{warnings} Press R again to retry anyway."),
                title="Retry?",
                severity="warning",
                markup=False,
                timeout=RETRY_CONFIRM_SECONDS,
            )
            return
        self._retry_confirm = None
        self._retry(message.local_id, message.lead_id)

    def action_retry_anyway(self) -> None:
        """Confirm a retry whose warnings were shown (ctrl+o, like the composer's send-anyway)."""
        if self._retry_confirm is not None:
            self._retry_confirm = (self._retry_confirm[0], self.sms_app.now() + timedelta(seconds=1))
            self.action_retry()

    @work(thread=True, group="outbox", exit_on_error=False, description="Retry")
    def _retry(self, local_id: int, lead_id: str) -> None:
        app = self.sms_app
        send_at = app.now() + timedelta(seconds=app.undo_seconds)
        retried_id = app.store.retry(local_id, send_at)
        if retried_id is not None:
            self.app.call_from_thread(self._queued, lead_id, retried_id, send_at)

    def action_cancel_scheduled(self) -> None:
        message = self._latest(("scheduled",))
        if message is None:
            return
        lead_id = message.lead_id

        def cancel(store: Any) -> None:
            text = store.cancel_scheduled(message.local_id)
            self.app.call_from_thread(
                self._cancelled, lead_id, text if isinstance(text, str) else message.text
            )

        self._store_then(cancel, lead_id)

    def _cancelled(self, lead_id: str, text: str) -> None:
        if lead_id == self._lead_id:
            self.composer.restore(text)
        self.notify("Scheduled message cancelled — it is a draft again.", markup=False, timeout=3)

    @work(thread=True, group="outbox", exit_on_error=False, description="Store write")
    def _store_then(self, change: Callable[[Any], object], lead_id: str, push: bool = False) -> None:
        change(self.sms_app.store)
        self.app.call_from_thread(self._changed, lead_id, push)

    def _changed(self, lead_id: str, push: bool) -> None:
        if push:
            self.sms_app.push_now()
        self.post_message(OutboxChanged(lead_id))

    @on(Composer.ScheduleRequested)
    def _schedule(self, event: Composer.ScheduleRequested) -> None:
        event.stop()
        from sms_tui.ui.screens.schedule import ScheduleDialog

        context = self.composer.context
        if context is None:
            return
        text = event.text

        def chosen(when: datetime | None) -> None:
            if when is None:
                return
            self.composer.clear()
            self.conversation.follow()
            self._store_then(
                lambda store: store.schedule(
                    lead_id=context.lead_id,
                    text=text,
                    date_scheduled=when,
                    contact_id=context.contact_id,
                    local_phone=context.from_number or "",
                    remote_phone=context.to_number or "",
                    now=self.sms_app.now(),
                ),
                context.lead_id,
                push=True,
            )

        self.app.push_screen(ScheduleDialog(context, rep_zone=self.sms_app.rep_tz, text=text), chosen)

    @on(Composer.TemplatesRequested)
    def _templates(self, event: Composer.TemplatesRequested) -> None:
        event.stop()
        self._open_templates()

    @work(thread=True, group="templates", exclusive=True, exit_on_error=False)
    def _open_templates(self) -> None:
        templates = list(self.sms_app.store.templates())
        self.app.call_from_thread(self._pick_template, templates)

    def _pick_template(self, templates: list[Any]) -> None:
        from sms_tui.ui.screens.template_picker import TemplatePicker

        context = self.composer.context
        if context is None:
            return

        def chosen(text: str | None) -> None:
            if text:
                self.composer.insert(text)

        self.app.push_screen(TemplatePicker(templates, context.template_context), chosen)

    # -- drafts -----------------------------------------------------------------------------

    @on(Composer.DraftChanged)
    def _draft_changed(self, event: Composer.DraftChanged) -> None:
        event.stop()
        self._drafts[event.lead_id] = event.text
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DEBOUNCE, self._flush_drafts)

    def _flush_drafts(self) -> None:
        for lead_id, text in list(self._drafts.items()):
            self._save_draft(lead_id, text)

    @work(thread=True, group="drafts", exit_on_error=False, description="Save draft")
    def _save_draft(self, lead_id: str, text: str) -> None:
        self.sms_app.store.save_draft(lead_id, text)
        self.app.call_from_thread(self._draft_saved, lead_id, text)

    def _draft_saved(self, lead_id: str, text: str) -> None:
        if self._drafts.get(lead_id) == text:
            del self._drafts[lead_id]
        self._refresh_rows([lead_id])

    def flush_drafts_now(self) -> None:
        """Write unsaved drafts synchronously (on quit, so nothing typed is lost)."""
        for lead_id, text in list(self._drafts.items()):
            self.sms_app.store.save_draft(lead_id, text)
        self._drafts.clear()

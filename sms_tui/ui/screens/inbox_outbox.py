"""The inbox's outbox glue: what the composer sends, and what the rep takes back or retries.

`OutboxGlue` is a plain object composed into `InboxScreen` (it holds the screen; the screen's
message handlers and `action_*` methods call it). The decisions are `ui.sending` (`Sending`,
`Drafts`: no Textual, unit-tested); here are the events, the thread workers that run them, the
toasts and the dialogs: send with undo, retry behind the guard, cancel a scheduled message,
schedule, templates, the recipient picker, the lead's details, and draft saving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sms_tui.ui.media import media_of
from sms_tui.ui.messages import OutboxChanged
from sms_tui.ui.retry import retryable
from sms_tui.ui.route import Route, encode_route, route_key
from sms_tui.ui.sending import RETRY_CONFIRM_SECONDS, Queued, newest_pending
from sms_tui.ui.text import one_line, visible
from sms_tui.ui.triage import TriageUndo, undo_cancel
from sms_tui.ui.widgets.composer import Composer
from sms_tui.ui.workers import in_thread

#: Seconds the composer's text rests before it is saved as the lead's draft.
DRAFT_DEBOUNCE = 0.4


class OutboxGlue:
    """Send, undo, retry, cancel, schedule, templates, recipient and drafts, for the inbox."""

    def __init__(self, screen: Any) -> None:
        # `screen` is the InboxScreen (not imported here: it imports this module).
        self.screen = screen
        self._draft_timer: Any = None
        #: the files of each queued MMS (local_id -> attachments): an undo gives them back too
        self._files: dict[int, tuple[Any, ...]] = {}

    # -- send and undo ---------------------------------------------------------------------

    def send(self, event: Composer.SendRequested) -> None:
        s = self.screen
        context = s.composer.context
        if context is None or context.lead_id != event.lead_id:
            return
        s.composer.clear()
        s.drafts.forget(event.lead_id)
        s.conversation.follow()  # the rep wants to see the message they just sent
        in_thread(
            s,
            self._enqueue,
            event.text,
            context,
            event.attachments,
            group="outbox",
            description="Queue a message",
        )

    def _enqueue(self, text: str, context: Any, attachments: tuple[Any, ...] = ()) -> None:
        s = self.screen
        try:
            queued = s.sending.enqueue(context, text, attachments)
        except Exception:  # e.g. a full disk: nothing was queued, so the text goes back (then the toast)
            s.app.call_from_thread(self._give_back, context.lead_id, text, attachments)
            raise
        if attachments:
            self._files[queued.local_id] = tuple(attachments)
        s.app.call_from_thread(self._queued, queued)

    def _give_back(self, lead_id: str, text: str, attachments: tuple[Any, ...] = ()) -> None:
        """A text that could not be queued returns to its lead's composer (or unsaved draft)."""
        s = self.screen
        context = s.composer.context
        if context is not None and context.lead_id == lead_id:
            s.composer.restore(text)
            if attachments:
                s.composer.set_attachments(attachments)
        else:
            s.drafts.changed(lead_id, text)

    def _queued(self, queued: Queued) -> None:
        s = self.screen
        s.pending = {**s.pending, queued.local_id: (queued.lead_id, queued.send_at)}
        s.sms_app.push_after(s.sms_app.undo_seconds)
        s.post_message(OutboxChanged(queued.lead_id))

    def undo_send(self) -> None:
        s = self.screen
        local_id = newest_pending(s.pending)
        if local_id is None:
            s.action_undo_triage()
            return
        lead_id, _ = s.pending[local_id]
        s.pending = {k: v for k, v in s.pending.items() if k != local_id}
        in_thread(s, self._undo, local_id, lead_id, group="outbox", description="Undo send")

    def _undo(self, local_id: int, lead_id: str) -> None:
        s = self.screen
        s.app.call_from_thread(self._undone, lead_id, s.sending.undo(local_id), self._files.pop(local_id, ()))

    def _undone(self, lead_id: str, text: str | None, files: tuple[Any, ...] = ()) -> None:
        s = self.screen
        if text is None:
            s.notify("Too late to undo: it is already on its way.", severity="warning", markup=False)
        elif lead_id == s._lead_id:
            s.composer.restore(text)
            s.notify("Send undone — the text is back in the composer.", markup=False, timeout=3)
        else:
            s.drafts.changed(lead_id, text)
            self.save_draft(lead_id, text)
            s.notify("Send undone — the text is back in that lead's draft.", markup=False)
        if text is not None and files:
            s.composer.set_attachments(files, lead_id=lead_id)  # the files come back with the text
        s.post_message(OutboxChanged(lead_id))

    # -- retry and cancel ------------------------------------------------------------------

    def retry(self) -> None:
        """Retry the latest failed message, through the composer's guard (`Sending.judge_retry`)."""
        s = self.screen
        message = s._latest(("error", "blocked"))
        context = s.composer.context
        if message is None or context is None or context.lead_id != message.lead_id:
            return
        if not retryable(message):
            why = message.error_message or message.block_reason or "it failed for good"
            s.notify(
                visible(f"Cannot retry: {why} Sending it again would fail the same way."),
                severity="warning",
                markup=False,
            )
            return
        override = (s.sms_app.keymap.get("inbox.retry_anyway") or "ctrl+o").split(",")[0]
        verdict = s.sending.judge_retry(message, context, override)
        if verdict.confirm:
            s.notify(
                visible(verdict.why),
                title="Retry?",
                severity="warning",
                markup=False,
                timeout=RETRY_CONFIRM_SECONDS,
            )
        elif not verdict.go:
            s.notify(visible(verdict.why), severity="error", markup=False)
        else:
            in_thread(s, self._retry, message.local_id, message.lead_id, group="outbox", description="Retry")

    def _retry(self, local_id: int, lead_id: str) -> None:
        s = self.screen
        queued = s.sending.retry(local_id, lead_id)
        if queued is not None:
            s.app.call_from_thread(self._queued, queued)

    def cancel_scheduled(self) -> None:
        s = self.screen
        message = s._latest(("scheduled",))
        if message is None:
            return
        view = s.conversation.view
        if view is not None:  # the bubble goes at once; the reload after the write confirms it
            kept = [m for m in view.messages if m.local_id != message.local_id]
            s.conversation.show(replace(view, messages=kept))
            s._offers = (s._offers[0], False)
            s.refresh_bindings()
        undo = undo_cancel(message, s.sms_app.now)

        def cancel(_: Any) -> None:
            text = s.sending.cancel(message)
            s.app.call_from_thread(self._cancelled, message.lead_id, text, undo, message.attachments)

        self.store_then(cancel, message.lead_id)

    def _cancelled(self, lead_id: str, text: str, undo: TriageUndo, files: tuple[Any, ...] = ()) -> None:
        s = self.screen
        if lead_id == s._lead_id:
            s.composer.restore(text, focus=False)  # x is a list key: focus stays where it was
        if files:  # its files come back with its text
            s.composer.set_attachments(files, lead_id=lead_id)
        s.last_triage = replace(undo, draft_text=text)
        s.refresh_bindings()
        reply_key = (s.sms_app.keymap.get("inbox.reply") or "enter").split(",")[0]
        s.notify(
            f"Scheduled message cancelled — its text is the draft ({reply_key} to edit) · U undo",
            markup=False,
            timeout=4,
        )

    def store_then(self, change: Callable[[Any], object], lead_id: str, push: bool = False) -> None:
        """Run `change(store)` in a thread worker, then push (if asked) and say the outbox changed."""
        in_thread(
            self.screen, self._store_then, change, lead_id, push, group="outbox", description="Store write"
        )

    def _store_then(self, change: Callable[[Any], object], lead_id: str, push: bool) -> None:
        s = self.screen
        change(s.sms_app.store)
        s.app.call_from_thread(self._changed, lead_id, push)

    def _changed(self, lead_id: str, push: bool) -> None:
        s = self.screen
        if push:
            s.sms_app.push_now()
        s.post_message(OutboxChanged(lead_id))

    # -- schedule and templates ------------------------------------------------------------

    def schedule(self, event: Composer.ScheduleRequested) -> None:
        from sms_tui.ui.screens.schedule import ScheduleDialog

        s = self.screen
        context = s.composer.context
        if context is None:
            return
        text, files = event.text, event.attachments

        def chosen(when: datetime | None) -> None:
            if when is None:
                return
            s.composer.clear()
            s.conversation.follow()
            self.store_then(
                lambda _: s.sending.schedule(context, text, when, files), context.lead_id, push=True
            )

        s.app.push_screen(ScheduleDialog(context, rep_zone=s.sms_app.rep_tz, text=text), chosen)

    def templates(self) -> None:
        in_thread(self.screen, self._open_templates, group="templates", exclusive=True)

    def _open_templates(self) -> None:
        s = self.screen
        templates = list(s.sms_app.store.templates())
        s.app.call_from_thread(self._pick_template, templates)

    def _pick_template(self, templates: list[Any]) -> None:
        from sms_tui.ui.screens.template_picker import TemplatePicker

        s = self.screen
        context = s.composer.context
        if context is None:
            return

        picker = TemplatePicker(templates, context.template_context)

        def chosen(text: str | None) -> None:
            if text:
                s.composer.insert(text)
            files = picker.chosen.attachments if picker.chosen is not None and text is not None else ()
            if files:  # a Close template with attachments: they come with its text (already on Close)
                s.composer.set_attachments((*s.composer.attachments, *files))

        s.app.push_screen(picker, chosen)

    # -- attachments (an MMS) ---------------------------------------------------------------

    def attach(self, event: Composer.AttachRequested) -> None:
        """Open the attach dialog for the lead in the composer (ctrl+n); its answer replaces the
        composer's attachments (Escape changes nothing)."""
        from sms_tui.ui.screens.attach import AttachDialog

        s = self.screen
        context = s.composer.context
        if context is None or context.lead_id != event.lead_id:
            return
        lead_id = context.lead_id

        def chosen(attachments: tuple[Any, ...] | None) -> None:
            current = s.composer.context
            if attachments is not None and current is not None and current.lead_id == lead_id:
                s.composer.set_attachments(attachments)
            s.composer.focus()

        media = media_of(s.app)
        dialog = AttachDialog(
            event.attachments,
            from_number=context.from_number or "",
            to_number=context.to_number or "",
            rules=context.mms_rules,
            media=media,
            start=media.pick_dir,
        )
        s.app.push_screen(dialog, chosen)

    # -- recipient and sender --------------------------------------------------------------

    def pick_route(self) -> None:
        """Open the recipient picker for the lead in the composer (ctrl+f)."""
        from sms_tui.ui.screens.route_picker import RoutePicker

        s = self.screen
        context = s.composer.context
        if context is None:
            return
        current = Route(context.contact_id, context.to_number, context.from_number)
        view = s.conversation.view
        name = (
            one_line(view.header.name)
            if view is not None and view.header.lead_id == context.lead_id
            else None
        )

        def chosen(route: Route | None) -> None:
            if route is not None and route != current:
                in_thread(
                    s, self._save_route, context.lead_id, route, group="flags", description="Save recipient"
                )

        s.app.push_screen(RoutePicker(context.phones, context.numbers, current, name), chosen)

    def details(self) -> None:
        """The lead at a glance (i): contacts, phones, their time, counts; status, owner, emails,
        custom fields and the Close link (read by the panel)."""
        from sms_tui.ui.screens.lead_details import LeadDetails, details_text

        s = self.screen
        context = s.composer.context
        view = s.conversation.view
        if context is None or view is None or view.header.lead_id != context.lead_id:
            return
        text = details_text(
            view.header.name, context.phones, view.messages, s.sms_app.now(), context.to_number
        )
        store, lead_id = s.sms_app.store, context.lead_id
        s.app.push_screen(LeadDetails(text, lambda: store.lead_detail(lead_id).lead))

    def _save_route(self, lead_id: str, route: Route) -> None:
        s = self.screen
        s.sms_app.store.kv_set(route_key(lead_id), encode_route(route))
        s.app.call_from_thread(self._route_saved, lead_id)

    def _route_saved(self, lead_id: str) -> None:
        if lead_id == self.screen._lead_id:
            self.screen.reload_current()

    # -- drafts (the unsaved text is `screen.drafts`) ----------------------------------------

    def draft_changed(self, event: Composer.DraftChanged) -> None:
        s = self.screen
        s.drafts.changed(event.lead_id, event.text)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = s.set_timer(DRAFT_DEBOUNCE, self._flush_drafts)

    def _flush_drafts(self) -> None:
        for lead_id, text in self.screen.drafts.unsaved():
            self.save_draft(lead_id, text)

    def save_draft(self, lead_id: str, text: str) -> None:
        in_thread(self.screen, self._save_draft, lead_id, text, group="drafts", description="Save draft")

    def _save_draft(self, lead_id: str, text: str) -> None:
        s = self.screen
        s.sms_app.store.save_draft(lead_id, text)
        s.app.call_from_thread(self._draft_saved, lead_id, text)

    def _draft_saved(self, lead_id: str, text: str) -> None:
        self.screen.drafts.saved(lead_id, text)
        self.screen.live.refresh_rows([lead_id])

"""The inbox's sending logic, with no Textual: queue with undo, undo, retry behind the guard,
schedule and cancel, and the drafts the rep has not saved yet.

`InboxScreen` owns the keys, the widgets and the thread workers; it asks a `Sending` what to do
and runs its store methods (marked "store:") in a worker. Every user action that writes several
rows writes them in one store transaction. Unit tests: tests/ui/test_sending.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sms_tui.core.models import Attachment, Message
from sms_tui.store import Outgoing, Store
from sms_tui.ui.widgets.composer_context import ComposerContext, run_check

#: Seconds a retry with warnings waits for its confirming second press.
RETRY_CONFIRM_SECONDS = 5.0

#: Outbox messages waiting out the undo delay: local_id -> (lead_id, send_at).
Pending = Mapping[int, tuple[str, datetime]]


class SendingHost(Protocol):
    """What sending needs of the app (`ui.services.AppServices` has it)."""

    @property
    def store(self) -> Store: ...

    @property
    def undo_seconds(self) -> float: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Queued:
    """A message now in the outbox, sendable until `send_at` is undone."""

    lead_id: str
    local_id: int
    send_at: datetime


@dataclass(frozen=True, slots=True)
class RetryVerdict:
    """What a retry press does: `go`, or tell the rep `why` not (`confirm`: press again)."""

    go: bool
    why: str = ""
    confirm: bool = False


def outgoing(context: ComposerContext, text: str, attachments: Sequence[Attachment] = ()) -> Outgoing:
    """The store's fields for `text` (and the files attached: an MMS) sent in `context`."""
    fields = Outgoing(
        lead_id=context.lead_id,
        contact_id=context.contact_id,
        text=text,
        local_phone=context.from_number or "",
        remote_phone=context.to_number or "",
    )
    if attachments:
        fields["attachments"] = tuple(attachments)
    return fields


def newest_pending(pending: Pending) -> int | None:
    """The local id an undo takes back: the message queued last (latest send time)."""
    return max(pending, key=lambda k: pending[k][1]) if pending else None


def still_pending(pending: Pending, now: datetime) -> dict[int, tuple[str, datetime]]:
    """The pending sends whose undo window is still open at `now`."""
    return {k: v for k, v in pending.items() if v[1] > now}


class Sending:
    """Send, undo, retry, schedule and cancel for one inbox; holds the retry confirmation.

    `host` returns the app's services when called (a screen is built before its app runs).
    """

    def __init__(self, host: Callable[[], SendingHost]) -> None:
        self._get_host = host
        #: A retry waiting for its confirmation (warnings shown): (local_id, confirm by).
        self.retry_confirm: tuple[int, datetime] | None = None
        #: Set by `confirm_retry` for the next `judge_retry` only.
        self._override = False

    @property
    def _host(self) -> SendingHost:
        return self._get_host()

    def _send_at(self) -> datetime:
        return self._host.now() + timedelta(seconds=self._host.undo_seconds)

    # -- store: run these in a thread worker ------------------------------------------------

    def enqueue(self, context: ComposerContext, text: str, attachments: Sequence[Attachment] = ()) -> Queued:
        """store: queue `text` (undo until the delay is over), clear the draft, mark the lead read
        (replying is acting on it) — one transaction. `attachments` (an MMS) go into the outbox with
        their `local_path`; the sync engine uploads them after the undo window."""
        store, now = self._host.store, self._host.now()
        send_at = now + timedelta(seconds=self._host.undo_seconds)
        with store.transaction():
            local_id = store.enqueue_send(send_at=send_at, now=now, **outgoing(context, text, attachments))
            store.mark_read(context.lead_id)
        return Queued(context.lead_id, local_id, send_at)

    def undo(self, local_id: int) -> str | None:
        """store: take the message back (its text, now the draft), or None if it is on its way."""
        return self._host.store.undo_send(local_id)

    def retry(self, local_id: int, lead_id: str) -> Queued | None:
        """store: send a failed message again, through the outbox (with the undo delay)."""
        send_at = self._send_at()
        retried_id = self._host.store.retry(local_id, send_at)
        return None if retried_id is None else Queued(lead_id, retried_id, send_at)

    def schedule(
        self, context: ComposerContext, text: str, when: datetime, attachments: Sequence[Attachment] = ()
    ) -> int:
        """store: keep `text` (and its files) to be sent at `when` (the draft is cleared in the same
        write)."""
        fields = outgoing(context, text, attachments)
        return self._host.store.schedule(date_scheduled=when, now=self._host.now(), **fields)

    def cancel(self, message: Message) -> str:
        """store: cancel a scheduled message; its text (now the draft) comes back."""
        text = self._host.store.cancel_scheduled(message.local_id)
        return text if isinstance(text, str) else message.text

    # -- the retry guard (UI thread) ---------------------------------------------------------

    def judge_retry(
        self, message: Message, context: ComposerContext, override_key: str = "ctrl+o"
    ) -> RetryVerdict:
        """Retry through the composer's guard before touching the store.

        A block (no sending number, opted out, unsupported country…) cannot be retried: say why.
        Warnings (quiet hours…) need the one override key (`confirm_retry`, ctrl+o, the composer's
        send-anyway key too) within `RETRY_CONFIRM_SECONDS`; pressing R again only warns again.
        """
        check = run_check(message.text, context)
        override, self._override = self._override, False
        if check.blocks:
            self.retry_confirm = None
            return RetryVerdict(False, "Cannot retry: " + " ".join(i.message for i in check.blocks))
        now = self._host.now()
        pending = self.retry_confirm
        confirmed = override and pending is not None and pending[0] == message.local_id and now <= pending[1]
        if check.warnings and not confirmed:
            self.retry_confirm = (message.local_id, now + timedelta(seconds=RETRY_CONFIRM_SECONDS))
            warnings = " ".join(issue.message for issue in check.warnings)
            return RetryVerdict(False, f"{warnings} Press {override_key} to retry anyway.", confirm=True)
        self.retry_confirm = None
        return RetryVerdict(True)

    def confirm_retry(self) -> bool:
        """The rep confirms the retry whose warnings were shown; False if none is waiting."""
        if self.retry_confirm is None:
            return False
        self.retry_confirm = (self.retry_confirm[0], self._host.now() + timedelta(seconds=1))
        self._override = True
        return True


class Drafts:
    """Composer text not yet written to the store, per lead (the screen debounces the writes)."""

    def __init__(self) -> None:
        self._unsaved: dict[str, str] = {}

    def changed(self, lead_id: str, text: str) -> None:
        self._unsaved[lead_id] = text

    def get(self, lead_id: str, default: str | None) -> str | None:
        """The unsaved text for the lead, else `default` (what the store holds)."""
        return self._unsaved.get(lead_id, default)

    def forget(self, lead_id: str) -> None:
        """The text was sent: nothing left to save."""
        self._unsaved.pop(lead_id, None)

    def unsaved(self) -> list[tuple[str, str]]:
        return list(self._unsaved.items())

    def saved(self, lead_id: str, text: str) -> None:
        """`text` reached the store: drop it unless the rep typed more since."""
        if self._unsaved.get(lead_id) == text:
            del self._unsaved[lead_id]

    def flush(self, store: Store) -> None:
        """store: write every unsaved draft now (on quit, so nothing typed is lost)."""
        for lead_id, text in self.unsaved():
            store.save_draft(lead_id, text)
        self._unsaved.clear()

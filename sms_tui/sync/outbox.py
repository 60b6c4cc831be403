"""Pushing the outbox exactly once (DESIGN.md "Sending, exactly once").

1. Stale `sending` rows (a claim older than the lease: its engine crashed, was cancelled, or got no
   answer) are taken over atomically, one at a time, and reconciled: the lead's recent SMS are
   listed on the provider; a match is linked; only a message proven absent goes through step 2.
2. Due outbox rows are claimed atomically one at a time (`sending`, committed; a fresh claim token
   per push), the send guard runs again, and the SMS is POSTed once (the client makes no retries
   for it). The answer's id and status are stored.

A POST starts only if it can finish, time-out included, well before the claim expires
(`post_budget`), so no other engine can look for a message while its request may still land.

Outcomes of a POST:
- answer: linked (`sent`/`scheduled`);
- nothing left (connection refused, 429, 401): released back to the outbox;
- refused (400): `error` with the provider's reason, or `blocked` when the reason is an opt-out;
- unknown (time-out, dropped connection, 5xx, unreadable answer, or cancellation): stays `sending`
  and is reconciled once its claim is stale. The lease is longer than a request can take, so the
  original request has landed or died before anyone looks for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sms_tui.core import mms
from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules, check_send
from sms_tui.core.models import Message
from sms_tui.provider import (
    AmbiguousRequestError,
    AuthError,
    CloseClient,
    NotFound,
    Offline,
    ProviderDataError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ValidationError,
)
from sms_tui.sync.apply import OPT_OUT_CODE
from sms_tui.sync.cache import SyncCache
from sms_tui.sync.reconcile import CLOCK_SKEW, find_match

log = logging.getLogger("sms_tui.sync")

#: How long a claim protects a row from other engines: longer than any request can take.
DEFAULT_LEASE = timedelta(seconds=90)
#: A POST is started only if it can end (time-out included) this long before the claim expires.
DEFAULT_POST_BUDGET = timedelta(seconds=40)
_OPT_OUT_HINTS = ("21610", "opted out", "unsubscribed recipient")


@dataclass
class SendCounts:
    """What pushes did; a push reports them, the engine adds them up (`Totals`)."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    #: after an unclear outcome: found on the provider / proven absent (and sent again)
    found: int = 0
    absent: int = 0

    def add(self, other: SendCounts) -> None:
        for name in ("sent", "failed", "blocked", "found", "absent"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class PushReport(SendCounts):
    deferred: int = 0
    changed_lead_ids: set[str] = field(default_factory=set)
    #: the connection problem that stopped the push, if any
    problem: ProviderError | None = None


class OutboxPusher:
    def __init__(
        self,
        cache: SyncCache,
        client: CloseClient,
        *,
        now: Callable[[], datetime],
        owner: str,
        lease: timedelta = DEFAULT_LEASE,
        post_budget: timedelta = DEFAULT_POST_BUDGET,
        rules: ComplianceRules = DEFAULT_RULES,
        sender_names: tuple[str, ...] = (),
        mms_countries: frozenset[str] = mms.DEFAULT_MMS_COUNTRIES,
        mms_limits: Mapping[mms.NumberKind, int] = mms.DEFAULT_SIZE_LIMITS,
    ) -> None:
        self.cache = cache
        self.client = client
        self.now = now
        self.owner = owner
        self.lease = lease
        self.token = owner
        self._pushes = 0
        self.post_budget = post_budget
        self.rules = rules
        self.sender_names = sender_names
        self.mms_countries = mms_countries
        self.mms_limits = mms_limits

    async def push(self, limit: int = 50) -> PushReport:
        """Reconcile stale claims, then send due rows one claim at a time (a crash or a
        cancellation leaves at most one row in flight), until none is due or the provider fails."""
        report = PushReport()
        # A fresh claim token per push: a stale claim left by an earlier (abandoned) push of this
        # very engine is taken over like anyone else's.
        self._pushes += 1
        self.token = f"{self.owner}#{self._pushes}"
        for _ in range(limit):  # one stale row at a time, so a failure leaves the rest untouched
            if report.problem is not None:
                break
            stale = self.cache.claim_stale(self.now(), self.token, self.lease, 1)
            if not stale:
                break
            await self._reconcile(stale[0], self.now(), report)
        for _ in range(limit):
            if report.problem is not None:
                break
            claimed_at = self.now()
            batch = self.cache.claim_due(claimed_at, self.token, 1)
            if not batch:
                break
            await self._send(batch[0], claimed_at, report)
        return report

    async def _reconcile(self, message: Message, claimed_at: datetime, report: PushReport) -> None:
        """Look for the message on the provider; send it only if it is proven absent."""
        since = (message.send_at or message.date_created or self.now()) - CLOCK_SKEW
        try:
            candidates = [
                sms
                async for page in self.client.iter_sms_pages(lead_id=message.lead_id, date_created__gte=since)
                for sms in page.items
            ]
        except ProviderError as exc:
            # Cannot prove anything: leave it `sending`; its fresh claim expires and we try again.
            self.cache.note_ambiguous(message.local_id, f"Checking whether it was sent: {exc}", self.token)
            report.problem = exc
            report.deferred += 1
            return
        match = find_match(
            attachments=len(message.attachments),
            text=message.text,
            remote_phone=message.remote_phone,
            local_phone=message.local_phone,
            claimed_at=message.send_at or message.date_created or self.now(),
            candidates=candidates,
            is_taken=lambda remote_id: self.cache.is_taken(remote_id, message.local_id),
        )
        if match is not None:
            log.info("message %s found on the provider as %s", message.local_id, match.id)
            report.changed_lead_ids |= self.cache.mark_pushed(message.local_id, match, self.token)
            report.sent += 1
            report.found += 1
            return
        log.info("message %s proven absent on the provider; sending it", message.local_id)
        report.absent += 1
        await self._send(message, claimed_at, report)

    def _guard(self, message: Message) -> str | None:
        """The send guard, again, right before the POST. Returns the block reason or None."""
        ctx = self.cache.send_context(message)
        to_number = message.remote_phone or ""
        check = check_send(
            text=message.text,
            to_number=to_number,
            from_number=ctx.from_number or "",
            opted_out=ctx.opted_out,
            do_not_text=ctx.do_not_text,
            now=self.now(),
            first_message=ctx.first_message,
            rules=self.rules,
            sender_names=self.sender_names,
        )
        blocks = [issue.message for issue in check.blocks]
        if message.attachments:
            verdict = mms.check_mms(
                ctx.from_number or "",
                to_number,
                [(a.content_type, a.size) for a in message.attachments],
                countries=self.mms_countries,
                limits=self.mms_limits,
            )
            if not verdict.ok and verdict.reason:
                blocks.append(verdict.reason)
        return " ".join(blocks) if blocks else None

    async def _upload(
        self, message: Message, claimed_at: datetime, report: PushReport
    ) -> list[dict[str, str]] | None:
        """Upload the rep's files through the Files API, each exactly once: its `download.url` is
        recorded in the cache before anything else happens, so a retry (after a fault, a crash, a
        kill) references it instead of uploading again. Returns the SMS's `attachments`, or None
        when the message was released (try again later) or failed (a file that cannot be read or
        that the storage refused)."""
        out: list[dict[str, str]] = []
        for index, attachment in enumerate(message.attachments):
            url = attachment.url
            if not url:
                try:
                    data = await asyncio.to_thread(Path(attachment.local_path).read_bytes)
                except OSError as exc:
                    reason = exc.strerror or type(exc).__name__
                    self._fail(
                        message, f"The attached file {attachment.filename} cannot be read ({reason}).", report
                    )
                    return None
                try:
                    uploaded = await self.client.upload_file(
                        attachment.filename, attachment.content_type, data
                    )
                except (
                    AmbiguousRequestError,
                    ProviderDataError,
                    Offline,
                    RateLimited,
                    ProviderUnavailable,
                    AuthError,
                ) as exc:
                    # No SMS was created: back to the outbox (an upload cut short is simply redone).
                    self.cache.release(
                        message.local_id, f"Uploading {attachment.filename}: {exc}", self.token
                    )
                    report.deferred += 1
                    report.problem = exc
                    return None
                except ProviderError as exc:
                    self._fail(message, f"Uploading {attachment.filename} failed: {exc}", report)
                    return None
                url = uploaded.url
                self.cache.record_upload(message.local_id, index, url, self.token)
            out.append({"url": url, "filename": attachment.filename, "content_type": attachment.content_type})
        if out and self.now() > claimed_at + self.lease - self.post_budget:
            # The uploads took long: the POST could outlive the claim. The files are recorded;
            # the next push sends it without uploading again.
            self.cache.release(message.local_id, "uploaded; sending shortly", self.token)
            report.deferred += 1
            return None
        return out

    def _upload_again(self, message: Message, reason: str, report: PushReport) -> bool:
        """The provider refused an attachment's url: an upload is usable for 24 hours only (Close
        Files API), so a message that waited longer (offline, crashed) uploads its files again —
        once: the recorded urls are forgotten and it goes back to the outbox. False when there is
        nothing to upload again (then the refusal stands)."""
        if not any(a.local_path and a.url for a in message.attachments) or message.attempts >= 3:
            return False
        self.cache.forget_uploads(message.local_id, self.token)
        self.cache.release(message.local_id, f"Uploading the files again: {reason}", self.token)
        report.deferred += 1
        return True

    def _fail(self, message: Message, reason: str, report: PushReport) -> None:
        self.cache.mark_failed(message.local_id, reason, self.token)
        report.failed += 1
        report.changed_lead_ids.add(message.lead_id)

    async def _send(self, message: Message, claimed_at: datetime, report: PushReport) -> None:
        if self.now() > claimed_at + self.lease - self.post_budget:
            # Our claim could expire while the POST is in flight, and another engine would then
            # look for the message before it lands. Leave it; it is reconciled after the lease.
            self.cache.note_ambiguous(message.local_id, "claim too old to send safely", self.token)
            report.deferred += 1
            return
        reason = self._guard(message)
        if reason is not None:
            self.cache.mark_blocked(message.local_id, reason, self.token)
            report.blocked += 1
            report.changed_lead_ids.add(message.lead_id)
            return
        attachments = await self._upload(message, claimed_at, report) if message.attachments else []
        if attachments is None:
            return
        ctx = self.cache.send_context(message)
        scheduled = message.date_scheduled is not None and message.date_scheduled > self.now()
        try:
            sms = await self.client.create_sms(
                status="scheduled" if scheduled else "outbox",
                text=message.text,
                lead_id=message.lead_id or None,
                contact_id=message.contact_id,
                local_phone=ctx.from_number,
                remote_phone=message.remote_phone,
                template_id=None,
                date_scheduled=message.date_scheduled if scheduled else None,
                retry=False,
                attachments=attachments,
            )
        except (AmbiguousRequestError, ProviderDataError) as exc:
            # It may exist on the provider. Keep the claim; reconcile after the lease.
            self.cache.note_ambiguous(message.local_id, str(exc), self.token)
            report.deferred += 1
            report.problem = exc
            return
        except (Offline, RateLimited, ProviderUnavailable, AuthError) as exc:
            # Refused before anything was done: back to the outbox, due again.
            self.cache.release(message.local_id, str(exc), self.token)
            report.deferred += 1
            report.problem = exc
            return
        except ValidationError as exc:
            if "attachments" in exc.field_errors and self._upload_again(message, str(exc), report):
                return
            self._refused(message, str(exc), report)
            return
        except ProviderError as exc:
            self.cache.mark_failed(message.local_id, str(exc), self.token)
            report.failed += 1
            report.changed_lead_ids.add(message.lead_id)
            return
        report.changed_lead_ids |= self.cache.mark_pushed(message.local_id, sms, self.token)
        if sms.status == "error":
            report.failed += 1
            if sms.remote_phone and OPT_OUT_CODE in (sms.error_message or ""):
                report.changed_lead_ids |= self.cache.set_opted_out(sms.remote_phone, True, self.now())
        else:
            report.sent += 1

    def _refused(self, message: Message, text: str, report: PushReport) -> None:
        """The provider refused the POST (400): blocked when the reason is an opt-out, else failed."""
        report.changed_lead_ids.add(message.lead_id)
        if any(hint in text.lower() for hint in _OPT_OUT_HINTS) and message.remote_phone:
            report.changed_lead_ids |= self.cache.set_opted_out(message.remote_phone, True, self.now())
            self.cache.mark_blocked(message.local_id, f"The provider refused it: {text}", self.token)
            report.blocked += 1
        else:
            self.cache.mark_failed(message.local_id, text, self.token)
            report.failed += 1

    async def cancel_scheduled(self, message: Message) -> frozenset[str]:
        """The rep's cancel: the scheduled SMS goes back to draft on the provider, then here."""
        if message.remote_id is None:
            raise ValueError("only a message scheduled on the provider can be cancelled there")
        try:
            sms = await self.client.cancel_sms(message.remote_id)
        except NotFound:
            # Gone on the provider (deleted elsewhere): nothing can send it; done here too.
            return self.cache.mark_cancelled(message.local_id)
        except ValidationError:
            # Refused: it is no longer scheduled there (sent already). Take the provider's word.
            sms = await self.client.get_sms(message.remote_id)
        if sms.status != "draft":
            # Too late (already released): record what the provider says instead.
            return self.cache.save_sms([sms]).changed_lead_ids
        return self.cache.mark_cancelled(message.local_id)

    async def block_scheduled(self, message: Message, reason: str) -> frozenset[str]:
        """A STOP arrived for a message scheduled on the provider: delete it there (a draft would
        come back through the event log as a draft and hide the reason) and keep it here as
        blocked with the reason."""
        if message.remote_id is None:
            return frozenset()
        await self.client.delete_sms(message.remote_id)
        self.cache.mark_blocked(message.local_id, reason, self.token)
        return frozenset({message.lead_id})

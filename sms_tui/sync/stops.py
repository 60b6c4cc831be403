"""What a STOP (or an explicit cancel) does to texts that have not left yet.

A lead who replies STOP must not get a text that was scheduled before: messages scheduled on the
provider to that phone are blocked there with the reason, the campaign runner stops the lead's
remaining campaign messages, and what could not be blocked yet (the provider was down) is retried
by every push until it works. Cancels the rep asked for (the store flags them) go out with the push.
"""

from __future__ import annotations

import logging

from sms_tui.provider import ProviderError
from sms_tui.sync.cache import SyncCache
from sms_tui.sync.campaigns import CampaignRunner
from sms_tui.sync.outbox import OutboxPusher, PushReport

log = logging.getLogger("sms_tui.sync")

STOP_REASON = "The contact opted out (replied STOP) before this scheduled text was sent."


class ScheduledStops:
    def __init__(self, cache: SyncCache, pusher: OutboxPusher, campaigns: CampaignRunner | None) -> None:
        self.cache = cache
        self.pusher = pusher
        self.campaigns = campaigns
        #: phones that sent STOP whose provider-scheduled messages could not be blocked yet
        self.pending: set[str] = set()

    async def stop(self, phone: str) -> set[str]:
        """A STOP arrived from `phone`: nothing scheduled to it goes out. Returns the leads changed."""
        changed: set[str] = set()
        if self.campaigns is not None:  # campaign messages that have not left stop here
            self.campaigns.opted_out(phone)
        for message in self.cache.scheduled_to(phone):
            try:
                changed |= await self.pusher.block_scheduled(message, STOP_REASON)
            except ProviderError as exc:
                log.warning("could not cancel scheduled message %s yet: %s", message.local_id, exc)
                self.pending.add(phone)  # retried by every push until it works
        return changed

    async def push(self, report: PushReport) -> None:
        """With each push: the STOPs not applied yet, then the cancels the rep asked for."""
        for phone in sorted(self.pending):
            self.pending.discard(phone)
            report.changed_lead_ids |= await self.stop(phone)
        for message in self.cache.pending_cancels():
            try:
                report.changed_lead_ids |= await self.pusher.cancel_scheduled(message)
            except ProviderError as exc:
                report.problem = report.problem or exc
                return

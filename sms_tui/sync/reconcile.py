"""Finding our own SMS on the provider after an ambiguous send (DESIGN.md "Sending, exactly once").

Close has no idempotency key, so after a time-out, a dropped connection or a crash between claim
and answer, the engine lists the lead's SMS created since shortly before the claim and looks for
one that is ours: outbound, same text, same recipient, same sender (when both are known), as many
attachments, created in the claim's time window, and not already linked to another local message.
Only when the full listing succeeded and nothing matches is the message "proven absent" and sent
again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sms_tui.provider.models import Sms

#: How far before the claim (clock skew between us and the provider) a match may have been created.
CLOCK_SKEW = timedelta(minutes=10)


def find_match(
    *,
    text: str,
    remote_phone: str | None,
    local_phone: str | None,
    claimed_at: datetime,
    candidates: Iterable[Sms],
    is_taken: Callable[[str], bool],
    attachments: int | None = None,
) -> Sms | None:
    """The provider SMS that is this local message, or None. Earliest first, so two identical
    texts claimed one after the other pair up in order."""
    earliest = claimed_at - CLOCK_SKEW
    matches = [
        sms
        for sms in candidates
        if sms.direction == "outbound"
        and sms.text == text
        and (remote_phone is None or sms.remote_phone == remote_phone)
        and (local_phone is None or sms.local_phone is None or sms.local_phone == local_phone)
        and sms.date_created >= earliest
        and (attachments is None or _attachment_count(sms) == attachments)
    ]
    matches = [sms for sms in matches if not is_taken(sms.id)]
    if not matches:
        return None
    return min(matches, key=lambda s: (s.date_created, s.id))


def _attachment_count(sms: Sms) -> int:
    items = sms.raw.get("attachments")
    return len(items) if isinstance(items, list) else 0

"""Which failed messages a retry could fix, so "R to retry" shows only where it can help.

A failure that the same text to the same phone will meet again (a landline, a disconnected number,
an opt-out, a block, a spam filter, a country we cannot send from) is not retryable: the bubble
says why instead, and R does nothing for it. Transient ones (the phone was off, the carrier did not
say, the network or the provider failed) are. Pure: no Textual, no store.
"""

from __future__ import annotations

from sms_tui.core.models import Message

#: Words (lower case) of provider errors and block reasons that a retry cannot fix.
PERMANENT = (
    "landline",
    "30006",
    "30005",
    "unknown destination handset",
    "no longer in service",
    "disconnected",
    "opted out",
    "opt-out",
    "unsubscribed",
    "21610",
    "30004",
    "message blocked",
    "30007",
    "spam",
    "carrier violation",
    "do not text",
    "short code",
    "21612",
    "another country",
    "do not send texts there",
    "cannot receive",
)


def retryable(message: Message) -> bool:
    """Could sending this failed or blocked message again succeed without changing it?"""
    if message.local_state not in ("error", "blocked"):
        return False
    why = f"{message.error_message or ''} {message.block_reason or ''}".casefold()
    return not any(word in why for word in PERMANENT)

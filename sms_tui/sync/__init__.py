"""The sync engine: the only code that talks to the provider (DESIGN.md).

`SyncEngine(store, client, *, now, listener, settings)`:
    await first_sync(progress)   account, our numbers, templates, leads/contacts, SMS history
    await poll_once()            new and changed SMS from the event log (poll.py says what it costs)
    await push_outbox()          exactly-once sending (outbox.py says how)
    await cancel_scheduled(id)   a provider-scheduled SMS back to draft
    await run_forever(stop)      push every 0.5 s, poll at the interval, back off on trouble
The listener receives a `SyncEvent` after each batch: changed lead ids, connection state, last poll,
new replies (for toasts), counts.

Exactly once, in short: a message is claimed atomically in the cache (`sending`, committed) before
its POST; a POST is never repeated by the client; a claim whose outcome is unknown is reconciled by
whoever takes it over after a lease (90 s, longer than any request may run), by listing the lead's
SMS on the provider; only a message proven absent is sent again, and the send guard runs again first.

Modules: engine (the object and its loop), first_sync, poll (event log), outbox (pushing),
reconcile (finding our SMS after an unclear send), cache + store_cache (the seam to the store),
convert (wire -> cache models), events (what the listener gets, poll pacing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sms_tui.sync.events import ConnectionState, FirstSyncProgress, PollPacer, SyncEvent

if TYPE_CHECKING:
    from sms_tui.sync.engine import SyncEngine, Totals


def __getattr__(name: str) -> object:
    # The engine (and with it httpx and the provider client) loads on first use, so the UI can
    # import the typed events from here without paying for the HTTP stack before its first frame.
    if name in ("SyncEngine", "Totals"):
        from sms_tui.sync import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'sms_tui.sync' has no attribute {name!r}")


__all__ = ["ConnectionState", "FirstSyncProgress", "PollPacer", "SyncEngine", "SyncEvent", "Totals"]

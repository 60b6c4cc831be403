"""The sync engine: the only code that talks to the provider (DESIGN.md).

`SyncEngine(store, client, *, now, listener, settings)` with `first_sync(progress)`, `poll_once()`,
`push_outbox()`, `cancel_scheduled(local_id)` and `run_forever(stop_event)`; the listener receives
`SyncEvent`s. Modules: engine (the object and its loop), first_sync, poll (event log), outbox
(exactly-once pushing), reconcile (finding our SMS after an ambiguous send), cache/store_cache (the
seam to the store), convert (wire -> cache models), events (what the listener gets, poll pacing).
"""

from sms_tui.sync.engine import SyncEngine, Totals
from sms_tui.sync.events import ConnectionState, FirstSyncProgress, PollPacer, SyncEvent

__all__ = ["ConnectionState", "FirstSyncProgress", "PollPacer", "SyncEngine", "SyncEvent", "Totals"]

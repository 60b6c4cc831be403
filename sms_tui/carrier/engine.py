"""The carrier's core object: state + clock + faults, lookups, the event log and timed jobs.

Timed behaviour is a list of jobs with a due time. `tick()` runs every due job in due order,
each at its own due time (so `date_sent` is when the carrier sent it, not when someone looked),
and is called at the start of every request and by the background ticker.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

from sms_tui.carrier.clock import Clock, FakeClock
from sms_tui.carrier.faults import FaultPlan
from sms_tui.carrier.records import iso, naive_iso
from sms_tui.carrier.state import CarrierState, Record, public

MAX_JOBS_PER_TICK = 100_000
#: (method, path, request id) of the API request being handled, for event `meta`; per task, so
#: concurrent requests do not mix them up
CURRENT_REQUEST: ContextVar[tuple[str, str, str] | None] = ContextVar("carrier_request", default=None)
_DEMO_CACHE: dict[tuple[int, str, str], str] = {}
#: runs one due job (simulation.run_job); injected so the engine does not import the simulation
JobRunner = Callable[["Carrier", Record], None]
#: fills an empty carrier with an organization (demo_data.build_demo); injected for the same reason
Populate = Callable[["Carrier"], None]


class Carrier:
    """One simulated Close organization and its carrier.

    The engine knows state, time, faults, events and jobs, not what a job does or what the demo
    organization holds: `run_job` and `populate` come from the caller (see `app.create_app`), so the
    simulation and the demo generator depend on the engine and never the other way round.
    """

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock,
        run_job: JobRunner,
        populate: Populate,
        populate_key: str = "",
        db_path: str | Path | None = None,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self._run_job = run_job
        self._populate = populate
        self._populate_key = populate_key
        self.state = CarrierState(seed, db_path)
        self.plan = FaultPlan(seed)
        #: derived indexes keyed by collection versions (see sms_query)
        self.cache: dict[str, Any] = {}
        if self.state.is_empty:
            self._build_demo()

    @property
    def lock(self) -> Any:
        return self.state.lock

    @property
    def is_fake_clock(self) -> bool:
        return isinstance(self.clock, FakeClock)

    def _build_demo(self) -> None:
        """Generate the seed's demo data; identical (seed, now, org) keys reuse a snapshot (fast tests)."""
        key = (self.seed, iso(self.now()), self._populate_key)
        with self.lock:
            cached = _DEMO_CACHE.get(key)
            if cached is not None:
                self.state.restore(cached)
            else:
                self._populate(self)
                if len(_DEMO_CACHE) > 16:
                    _DEMO_CACHE.clear()
                _DEMO_CACHE[key] = self.state.snapshot()
            self.state.flush()

    def reset(self) -> None:
        """Back to the freshly generated demo data of this seed (faults cleared)."""
        with self.lock:
            self.state.wipe()
            self.plan.reset()
            self._build_demo()

    def now(self) -> datetime:
        return self.clock.now()

    # -- lookups -------------------------------------------------------------------------------------
    def organization(self) -> Record:
        return next(self.state.all("organization"))

    def me(self) -> Record:
        return next(self.state.all("user"))

    def our_number(self, e164: str) -> Record | None:
        for num in self.state.all("phone_number"):
            if num["number"] == e164:
                return num
        return None

    def default_number(self, remote_country: str | None) -> Record:
        """The sending number Close would pick: same country as the recipient, else the first."""
        numbers = list(self.state.all("phone_number"))
        for num in numbers:
            if remote_country and num["country"] == remote_country:
                return num
        return numbers[0]

    def contacts_of(self, lead_id: str) -> list[Record]:
        return [c for c in self.state.all("contact") if c["lead_id"] == lead_id]

    def contact_by_phone(self, e164: str) -> Record | None:
        for contact in self.state.all("contact"):
            if any(p["phone"] == e164 for p in contact["phones"]):
                return contact
        return None

    # -- events --------------------------------------------------------------------------------------
    def emit(
        self,
        action: str,
        obj: Record,
        *,
        at: datetime,
        previous: dict[str, Any] | None = None,
        changed: Iterable[str] = (),
        object_type: str = "activity.sms",
    ) -> Record:
        """Append an event about `obj` (an SMS unless `object_type` says otherwise) to the event log."""
        request = CURRENT_REQUEST.get()
        if request is not None:
            method, path, request_id = request
            meta: dict[str, Any] = {"request_method": method, "request_path": path}
        else:
            request_id = self.state.new_id("req")
            meta = {}
        lead_id = obj["id"] if object_type == "lead" else obj.get("lead_id")
        event: Record = {
            "id": self.state.new_id("ev"),
            "date_created": naive_iso(at),
            "date_updated": naive_iso(at),
            "organization_id": self.organization()["id"],
            "user_id": obj.get("user_id", obj.get("updated_by")),
            "request_id": request_id,
            "api_key_id": None,
            "object_type": object_type,
            "object_id": obj["id"],
            "lead_id": lead_id,
            "action": action,
            "changed_fields": sorted(changed),
            "data": copy.deepcopy(public(obj)),
            "previous_data": copy.deepcopy(previous or {}),
            "meta": meta,
            "_x_seq": self.state.next_seq(),
        }
        return self.state.put("event", event)

    # -- jobs ----------------------------------------------------------------------------------------
    def schedule(self, kind: str, due: datetime, sms: Record | None = None, **payload: Any) -> Record:
        job: Record = {
            "id": self.state.new_id("job"),
            "kind": kind,
            "due": iso(due),
            "sms_id": sms["id"] if sms else None,
            "gen": sms.get("_x_gen", 0) if sms else None,
            "_x_seq": self.state.next_seq(),
            **payload,
        }
        return self.state.put("job", job)

    def pending_jobs(self) -> list[Record]:
        return sorted(self.state.all("job"), key=lambda j: (j["due"], j["_x_seq"]))

    def tick(self) -> int:
        """Run every job that is due by now; return how many ran."""
        with self.lock:
            now = iso(self.clock.now())
            ran = 0
            while ran < MAX_JOBS_PER_TICK:
                due = [j for j in self.state.all("job") if j["due"] <= now]
                if not due:
                    break
                job = min(due, key=lambda j: (j["due"], j["_x_seq"]))
                self.state.delete("job", job["id"])
                self._run_job(self, job)
                ran += 1
            if ran:
                self.state.flush()
            return ran

    def close(self) -> None:
        self.state.close()

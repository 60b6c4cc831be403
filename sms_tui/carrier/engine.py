"""The carrier's core object: state + clock + faults, lookups, the event log and timed jobs.

Timed behaviour is a list of jobs with a due time. `tick()` runs every due job in due order,
each at its own due time (so `date_sent` is when the carrier sent it, not when someone looked),
and is called at the start of every request and by the background ticker.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sms_tui.carrier.clock import Clock, FakeClock
from sms_tui.carrier.faults import FaultPlan
from sms_tui.carrier.records import iso, naive_iso, parse_dt
from sms_tui.carrier.state import CarrierState
from sms_tui.carrier.storage import Record, public

MAX_JOBS_PER_TICK = 100_000
#: (method, path, request id) of the API request being handled, for event `meta`; per task, so
#: concurrent requests do not mix them up
CURRENT_REQUEST: ContextVar[tuple[str, str, str] | None] = ContextVar("carrier_request", default=None)
#: the user whose API key made the current request (None outside a request: the org's first user)
CURRENT_USER: ContextVar[Record | None] = ContextVar("carrier_user", default=None)
_DEMO_CACHE: dict[tuple[int, str, str], bytes] = {}
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
        # only the small demo is worth a snapshot; a file database is built once and kept anyway
        in_memory = self.state.path is None and not self._populate_key
        with self.lock:
            cached = _DEMO_CACHE.get(key) if in_memory else None
            if cached is not None:
                self.state.restore(cached)
            else:
                self._populate(self)
                if in_memory:
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
        """The user behind the current request's API key; outside a request, the org's first user."""
        user = CURRENT_USER.get()
        return user if user is not None else self.first_user()

    def first_user(self) -> Record:
        return next(self.state.all("user"))

    def our_number(self, e164: str) -> Record | None:
        for num in self.state.all("phone_number"):
            if num["number"] == e164:
                return num
        return None

    def may_send_from(self, number: Record, user_id: str | None) -> str | None:
        """Why `user_id` may not text from `number` (an `outcomes` reason), or None when they may:
        internal SMS-enabled numbers that are theirs or a group number they participate in."""
        if number["type"] != "internal" or not number["sms_enabled"]:
            return "number_not_sms"
        if user_id is not None and number["user_id"] != user_id and user_id not in number["participants"]:
            return "number_not_yours"
        return None

    def default_number(self, remote_country: str | None, user_id: str | None = None) -> Record:
        """The sending number Close would pick: one the user may send from, in the recipient's country
        if there is one (their own before a group number), else the first they may use."""
        numbers = list(self.state.all("phone_number"))
        usable = [n for n in numbers if self.may_send_from(n, user_id) is None] or numbers
        usable.sort(key=lambda n: n["is_group_number"])
        for num in usable:
            if remote_country and num["country"] == remote_country:
                return num
        return usable[0]

    def contacts_of(self, lead_id: str) -> list[Record]:
        return self.state.contacts_of(lead_id)

    def contact_by_phone(self, e164: str) -> Record | None:
        return self.state.contact_by_phone(e164)

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
        """Log a change of `obj` (an SMS unless `object_type` says otherwise) in the event log.

        As Close does, an `updated` shortly after the object's last created/updated event by the same
        user is merged into that event (same id and date_created; later date_updated, newer data), and
        some events become visible a little after their date_updated (out of order)."""
        faults = self.plan.faults
        data = copy.deepcopy(public(obj))
        user_id = obj.get("user_id", obj.get("updated_by"))
        last = self.state.get("event", obj.get("_x_event", "")) if action == "updated" else None
        window = timedelta(seconds=faults.event_consolidate_seconds)
        if (
            last is not None
            and faults.event_consolidate_seconds > 0
            and last["action"] in ("created", "updated")
            and last["user_id"] == user_id
            and at - parse_dt(last["date_created"]) <= window
        ):
            merged = dict(last)
            self.state.delete("event", last["id"])
            if last["action"] == "updated":
                merged["changed_fields"] = sorted({*last["changed_fields"], *changed})
                merged["previous_data"] = copy.deepcopy(previous or {}) | last["previous_data"]
            merged.update(date_updated=naive_iso(at), data=data, _x_seq=self.state.next_seq())
            return self._publish(merged, at)
        request = CURRENT_REQUEST.get()
        if request is not None:
            method, path, request_id = request
            meta: dict[str, Any] = {"request_method": method, "request_path": path}
        else:
            request_id = self.state.new_id("req")
            meta = {}
        event: Record = {
            "id": self.state.new_id("ev"),
            "date_created": naive_iso(at),
            "date_updated": naive_iso(at),
            "organization_id": self.organization()["id"],
            "user_id": user_id,
            "request_id": request_id,
            "api_key_id": self.current_key_id(),
            "object_type": object_type,
            "object_id": obj["id"],
            "lead_id": obj["id"] if object_type == "lead" else obj.get("lead_id"),
            "action": action,
            "changed_fields": sorted(changed),
            "data": data,
            "previous_data": copy.deepcopy(previous or {}),
            "meta": meta,
            "_x_seq": self.state.next_seq(),
        }
        if action in ("created", "updated"):
            obj["_x_event"] = event["id"]  # the event a quick follow-up change merges into
        return self._publish(event, at)

    def _publish(self, event: Record, at: datetime) -> Record:
        """Store the event; now and then it becomes visible only a little later (Close's log is
        eventually consistent: "events may be visible through the API in a different order")."""
        faults = self.plan.faults
        rng = random.Random(f"{self.seed}:event-delay:{event['id']}:{event['_x_seq']}")
        event.pop("_x_visible_at", None)
        if faults.event_delay_rate > 0 and rng.random() < faults.event_delay_rate:
            delay = rng.uniform(1.0, max(1.0, faults.event_delay_seconds))
            event["_x_visible_at"] = naive_iso(at + timedelta(seconds=delay))
        return self.state.put("event", event)

    def current_key_id(self) -> str | None:
        """`api_key_id` of the key behind the current API request (None outside one)."""
        user = CURRENT_USER.get()
        return f"api_{user['id'][5:]}" if user is not None else None

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

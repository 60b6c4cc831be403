"""A world for sync tests: the fake carrier in-process (httpx.ASGITransport), one FakeClock shared by
the carrier, the client's sleeps and the engine's `now`, and caches opened from files under tmp.

Nothing sleeps for real: the carrier's "slow answer" fault and the client's back-off advance the
FakeClock. `TimeoutTransport` turns an answer that took longer (on the fake clock) than the client's
time-out into an httpx.ReadTimeout *after* the carrier handled the request, which is exactly the
"accepted, committed, client gave up" case of a real time-out.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import phonenumbers

from sms_tui.carrier import FakeClock, create_app
from sms_tui.carrier.outcomes import magic_reason
from sms_tui.config import Settings
from sms_tui.core.models import Message
from sms_tui.core.phones import can_text
from sms_tui.provider import CloseClient
from sms_tui.store import Store
from sms_tui.sync import SyncEngine, SyncEvent

API_KEY = "sk_sync_tests_KEY_0123456789"
BASE = "http://carrier.test"
CLIENT_TIMEOUT = 20.0


class TimeoutTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, clock: FakeClock, timeout: float) -> None:
        self.inner, self.clock, self.timeout = inner, clock, timeout
        self.requests: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        started = self.clock.now()
        response = await self.inner.handle_async_request(request)
        if (self.clock.now() - started).total_seconds() > self.timeout:
            await response.aclose()
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        return response


@dataclass
class World:
    tmp: Path
    seed: int = 7
    clock: FakeClock = field(default_factory=FakeClock)
    events: list[SyncEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = create_app(api_key=API_KEY, seed=self.seed, clock=self.clock, sleep=self.sleep)
        self.asgi = httpx.ASGITransport(app=self.app)
        self.transport = TimeoutTransport(self.asgi, self.clock, CLIENT_TIMEOUT)
        self.ctl = httpx.AsyncClient(transport=self.asgi, base_url=BASE, auth=(API_KEY, ""))
        self.cache_path = self.tmp / "cache.sqlite3"
        self.stores: list[Store] = []

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def client(self, *, transport: httpx.AsyncBaseTransport | None = None) -> CloseClient:
        return CloseClient(
            f"{BASE}/api/v1/",
            API_KEY,
            transport=transport or self.transport,
            sleep=self.sleep,
            rng=random.Random(self.seed),
        )

    def store(self, path: Path | None = None) -> Store:
        store = Store.open(path or self.cache_path)
        self.stores.append(store)
        return store

    def engine(self, store: Store | None = None, **kwargs: Any) -> SyncEngine:
        return SyncEngine(
            store or self.store(),
            self.client(),
            now=self.clock.now,
            listener=self.events.append,
            settings=Settings(poll_interval=15),
            rng=random.Random(self.seed),
            **kwargs,
        )

    def copy_cache(self, source: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(source) + suffix)
            if src.exists():
                shutil.copy(src, str(self.cache_path) + suffix)

    # -- carrier control -----------------------------------------------------------------------------

    async def faults(self, **values: float) -> None:
        (await self.ctl.post("/_carrier/faults", json=values)).raise_for_status()

    async def calm(self) -> None:
        await self.faults(
            rate_429=0, rate_5xx=0, rate_slow=0, rate_drop_after_store=0, rate_slow_after_store=0,
            next_429=0, next_5xx=0, next_slow=0, next_drop_after_store=0, next_slow_after_store=0,
        )  # fmt: skip

    async def carrier_sms(self) -> list[dict[str, Any]]:
        response = await self.ctl.get("/_carrier/state")
        response.raise_for_status()
        sms: list[dict[str, Any]] = response.json()["sms"]
        return sms

    async def inbound(self, *, remote: str, local: str, text: str) -> dict[str, Any]:
        response = await self.ctl.post("/_carrier/inbound", json={"from": remote, "to": local, "text": text})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def tick(self, seconds: float = 0) -> None:
        (await self.ctl.post("/_carrier/clock", json={"advance": seconds})).raise_for_status()

    async def aclose(self) -> None:
        await self.ctl.aclose()
        for store in self.stores:
            try:
                store.close()
            except Exception:
                pass


def _delivers(ours: str, phone: str, contact: Any) -> bool:
    """The carrier delivers a plain text to `phone`: no landline (by phonenumbers, or a demo "office"
    line only the carrier knows is one) and no magic number that fails on purpose."""
    types = {p.phone: p.type for p in (contact.phones if contact else ())}
    return can_text(ours, phone).ok and types.get(phone) != "office" and magic_reason(phone) is None


def textable_leads(store: Store, limit: int = 1000) -> list[tuple[str, str | None, str, str]]:
    """(lead_id, contact_id, their phone, our number in the same country) for leads we can text."""
    ours = {n.country: n.number for n in store.our_numbers() if n.sms_enabled}
    found: list[tuple[str, str | None, str, str]] = []
    page = store.lead_page(now=FakeClock().now(), limit=500)
    rows = list(page.rows)
    while page.next_cursor is not None and len(rows) < limit:
        page = store.lead_page(now=FakeClock().now(), limit=500, after=page.next_cursor)
        rows.extend(page.rows)
    for row in rows:
        detail = store.lead_detail(row.lead_id)
        phone = detail.texting_phone
        if phone is None or row.opted_out:
            continue
        region = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
        if region in ours and _delivers(ours[region], phone, detail.texting_contact):
            found.append(
                (
                    row.lead_id,
                    detail.texting_contact.id if detail.texting_contact else None,
                    phone,
                    ours[region],
                )
            )
    return found


class MangleTransport(httpx.AsyncBaseTransport):
    """Rewrites the body of answers whose request matches (method, path prefix): malformed answers."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.rules: list[tuple[str, str, Any]] = []

    def mangle(self, method: str, path: str, edit: Any) -> None:
        self.rules.append((method, path, edit))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        for method, path, edit in self.rules:
            if request.method == method and request.url.path.startswith(path):
                body = await response.aread()
                new = edit(body)
                return httpx.Response(
                    response.status_code, headers={"content-type": "application/json"}, content=new
                )
        return response


def send_one(store: Store, lead: tuple[str, str | None, str, str], text: str, send_at: Any, now: Any) -> int:
    lead_id, contact_id, phone, ours = lead
    return store.enqueue_send(
        lead_id=lead_id,
        contact_id=contact_id,
        text=text,
        remote_phone=phone,
        local_phone=ours,
        send_at=send_at,
        now=now,
    )


def outbound_texts(carrier_sms: list[dict[str, Any]]) -> list[str]:
    return [s["text"] for s in carrier_sms if s["direction"] == "outbound"]


async def inbound_mms(world: World, store: Store, engine: SyncEngine, *, lead: int, sample: str) -> Message:
    """A lead texts one of the carrier's bundled samples; the engine polls it into `store`."""
    _, _, phone, ours = textable_leads(store)[lead]
    r = await world.ctl.post("/_carrier/inbound", json={"from": phone, "to": ours, "media": [sample]})
    r.raise_for_status()
    await engine.poll_once()
    message = store.get_message_by_remote_id(r.json()["id"])
    assert message is not None
    return message

"""Helpers for campaign tests: recipients from the synced demo org, and a driver that runs the engine
on the fake clock (push every `step` seconds, poll every `poll_every`), never sleeping."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sms_tui.core.bulk_spec import CampaignSpec
from sms_tui.provider import ProviderError
from sms_tui.store import Store
from sms_tui.store.campaign_rows import NewRecipient
from sms_tui.sync import SyncEngine
from tests.sync.harness import World, textable_leads
from tests.sync.harness import _delivers as delivers

#: Monday 2026-11-23 18:00 UTC: 13:00 in New York, 10:00 in Los Angeles, 08:00 in Honolulu.
AFTERNOON = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)

Lead = tuple[str, str | None, str, str]


def us_leads(store: Store, n: int | None = None) -> list[Lead]:
    leads = [lead for lead in textable_leads(store) if lead[3].startswith("+1") and lead[2].startswith("+1")]
    return leads if n is None else leads[:n]


def recipients(leads: Iterable[Lead], tag: str) -> list[NewRecipient]:
    return [
        NewRecipient(
            lead_id=lead_id,
            contact_id=contact_id,
            phone=phone,
            from_number=ours,
            text=f"Spring offer {tag}-{i}: 10% off solar panels this week. Reply STOP to opt out.",
            segments=1,
        )
        for i, (lead_id, contact_id, phone, ours) in enumerate(leads)
    ]


def create(store: Store, world: World, leads: list[Lead], tag: str, **spec: Any) -> int:
    return store.create_campaign(
        CampaignSpec(name=f"Campaign {tag}", text="Spring offer", **spec),
        recipients(leads, tag),
        now=world.clock.now(),
    )


async def drive(
    world: World,
    engine: SyncEngine,
    seconds: float,
    *,
    step: float = 0.5,
    poll_every: float = 15.0,
    until: Any = None,
) -> None:
    """Run the engine for `seconds` of fake time (or until `until()` is true)."""
    end = world.clock.now() + timedelta(seconds=seconds)
    next_poll = world.clock.now()
    while world.clock.now() < end:
        with contextlib.suppress(ProviderError):
            await engine.push_outbox()
        if world.clock.now() >= next_poll:
            with contextlib.suppress(ProviderError):
                await engine.poll_once()
            next_poll = world.clock.now() + timedelta(seconds=poll_every)
        if until is not None and until():
            return
        await world.tick(step)


def next_release(store: Store) -> datetime | None:
    row = store.db.execute(
        "SELECT min(release_at) FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id "
        "WHERE r.state = 'pending' AND c.state = 'running'"
    ).fetchone()
    return None if row[0] is None else datetime.fromisoformat(row[0])


async def drive_skipping(world: World, engine: SyncEngine, store: Store, until: datetime) -> None:
    """Run until `until`, jumping the fake clock to the next planned release when nothing is due
    (a day of drip in a few hundred steps); polls after each release so outcomes come back."""
    while world.clock.now() < until:
        await engine.push_outbox()
        for _ in range(12):  # let the carrier take what was pushed, then read it back
            await world.tick(1)
            await engine.push_outbox()
        await engine.poll_once()
        nxt = next_release(store)
        now = world.clock.now()
        target = min(until, nxt) if nxt is not None and nxt > now else (until if nxt is None else now)
        if target > now:
            await world.tick((target - now).total_seconds())


async def carrier_outbound(world: World) -> list[dict[str, Any]]:
    return [s for s in await world.carrier_sms() if s["direction"] == "outbound"]


def texts_on(sms: list[dict[str, Any]], status: str | None = None) -> Counter[str]:
    return Counter(s["text"] for s in sms if status is None or s["status"] == status)


def every_textable_lead(store: Store) -> list[Lead]:
    """Every lead in the cache we can text from our US number (not only the first pages of the list)."""
    ours = {n.country: n.number for n in store.our_numbers() if n.sms_enabled}
    found: list[Lead] = []
    for (lead_id,) in store.db.execute("SELECT id FROM leads ORDER BY id").fetchall():
        detail = store.lead_detail(lead_id)
        phone = detail.texting_phone
        if phone is None or detail.row.opted_out or not phone.startswith("+1"):
            continue
        if delivers(ours["US"], phone, detail.texting_contact):
            found.append(
                (lead_id, detail.texting_contact.id if detail.texting_contact else None, phone, ours["US"])
            )
    return found

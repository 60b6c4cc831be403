"""A generated organization of any size (issue 8, item 5; issue 12, item 8): deterministic, built
into --db once, conforming to Close's schema, served by indexed queries, and reopened without
reading its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from sms_tui.carrier import FakeClock, create_app
from sms_tui.carrier.scale import OrgSpec
from tests.carrier.conftest import KEY, ROOT
from tests.carrier.test_schema import assert_conforms

SPEC = OrgSpec(leads=300, sms=3000, users=7)
NOW = FakeClock().now()


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ROOT + "api/v1/", auth=(KEY, "")
    )


def _dump(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    rows = [
        *conn.execute("SELECT id, data FROM sms ORDER BY rid"),
        *conn.execute("SELECT id, data FROM lead"),
    ]
    conn.close()
    return rows


def test_the_same_seed_builds_the_same_org(tmp_path: Path) -> None:
    for name in ("a.db", "b.db"):
        create_app(
            api_key=KEY, seed=3, db_path=tmp_path / name, clock=FakeClock(NOW), org=SPEC
        ).carrier.close()
    assert _dump(tmp_path / "a.db") == _dump(tmp_path / "b.db")


async def test_a_generated_org_has_the_size_asked_and_conforms(tmp_path: Path) -> None:
    app = create_app(api_key=KEY, seed=3, db_path=tmp_path / "org.db", clock=FakeClock(NOW), org=SPEC)
    async with _client(app) as c:
        counts = (await c.get(ROOT + "_carrier/state", params={"sms": "false"})).json()["counts"]
        assert (counts["lead"], counts["sms"], counts["user"]) == (300, 3000, 7)
        leads = (await c.get("lead/", params={"_limit": 200})).json()
        assert_conforms(leads, "/lead/")
        assert any(len(lead["contacts"]) > 1 for lead in leads["data"])
        assert any(len(ct["phones"]) > 1 for lead in leads["data"] for ct in lead["contacts"])
        sms = (await c.get("activity/sms/", params={"_limit": 100})).json()
        assert_conforms(sms, "/activity/sms/")
        dates = sorted(s["date_created"] for s in (await c.get(ROOT + "_carrier/state")).json()["sms"])
        assert dates[0] < (NOW.replace(year=NOW.year - 1)).isoformat()  # histories reach back years
        heavy = max({s["lead_id"] for s in sms["data"]}, key=lambda lead: lead)
        one = (await c.get("activity/sms/", params={"lead_id": heavy})).json()
        assert one["data"] and all(s["lead_id"] == heavy for s in one["data"])
        events = (await c.get("event/", params={"object_type": "activity.sms", "action": "created"})).json()
        assert_conforms(events, "/event/")
        assert events["data"]
        seen: list[dict[str, Any]] = list(events["data"])
        cursor = events["cursor_next"]
        while cursor and len(seen) < 400:  # cursor pages continue in date order, each event once
            page = (await c.get("event/", params={"object_type": "activity.sms", "action": "created",
                                                  "_cursor": cursor})).json()  # fmt: skip
            seen += page["data"]
            cursor = page["cursor_next"]
        dates = [e["date_updated"] for e in seen]
        assert dates == sorted(dates, reverse=True) and len({e["id"] for e in seen}) == len(seen)
        numbers = (await c.get("phone_number/")).json()["data"]
        assert sum(n["is_group_number"] for n in numbers) == 2 and any(
            n["type"] == "external" for n in numbers
        )
        keys = (await c.get(ROOT + "_carrier/state", params={"sms": "false"})).json()["api_keys"]
        assert len(keys) == 7 and sum(1 for k in keys if not k["event_log"]) == 1
    app.carrier.close()


def test_reopening_reads_nothing_and_refuses_another_size(tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    create_app(api_key=KEY, seed=3, db_path=db, clock=FakeClock(NOW), org=SPEC).carrier.close()
    app = create_app(api_key=KEY, seed=3, db_path=db, clock=FakeClock(NOW))  # no spec: serve what is there
    state = app.carrier.state
    assert state._loaded == {}  # no lead, contact or SMS was read to start
    assert state.count("sms") == 3000
    app.carrier.close()
    with pytest.raises(ValueError, match="scale:300:3000:7"):
        create_app(api_key=KEY, seed=3, db_path=db, clock=FakeClock(NOW), org=OrgSpec(10, 10, 2))


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT id FROM sms WHERE lead_id = 'x' ORDER BY date_created DESC, rid DESC LIMIT 100", "sms_lead"),
        ("SELECT id FROM sms ORDER BY date_created DESC, rid DESC LIMIT 100 OFFSET 200000", "sms_created"),
        ("SELECT id FROM sms WHERE date_created >= 'a' ORDER BY date_created DESC, rid DESC", "sms_created"),
        (
            "SELECT id FROM event WHERE object_type = 'a' AND action = 'b' ORDER BY seq DESC LIMIT 51",
            "event_type",
        ),
        ("SELECT id FROM event WHERE lead_id = 'a' ORDER BY seq DESC LIMIT 51", "event_lead"),
        ("SELECT id FROM lead ORDER BY date_created DESC, id DESC LIMIT 100", "lead_created"),
        ("SELECT id FROM contact WHERE lead_id = 'a' ORDER BY rid", "contact_lead"),
    ],
)
def test_list_filter_and_event_queries_use_an_index(tmp_path: Path, sql: str, index: str) -> None:
    db = tmp_path / "org.db"
    create_app(api_key=KEY, seed=3, db_path=db, clock=FakeClock(NOW), org=OrgSpec(50, 200, 3)).carrier.close()
    conn = sqlite3.connect(db)
    plan = " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
    conn.close()
    # walked through the index, in order: no full-table scan, no sort of the whole result
    assert f"INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan


def test_a_build_stopped_half_way_is_refused_not_served(tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    create_app(api_key=KEY, seed=3, db_path=db, clock=FakeClock(NOW), org=OrgSpec(20, 50, 2)).carrier.close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO meta (key, value) VALUES ('building', '\"scale:20:50:2\"')")
    conn.commit()
    conn.close()
    with pytest.raises(ValueError, match="half-built"):
        create_app(api_key=KEY, seed=3, db_path=db, clock=FakeClock(NOW))

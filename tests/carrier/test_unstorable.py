"""Text that cannot be stored is a 400 and never stored; a stored bad row never takes the API down;
the long-filter form checks its parameters like a query string (issue 8, item 6)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx

from sms_tui.carrier import FakeClock, create_app
from tests.carrier.conftest import KEY, ROOT, Carrier

LONE = '"hi \\ud800 there"'  # valid JSON, not valid Unicode text


async def _count(carrier: Carrier) -> int:
    return len((await carrier.state())["sms"])


async def test_lone_surrogate_in_a_new_sms_is_400_and_not_stored(carrier: Carrier) -> None:
    before = await _count(carrier)
    raw = '{"status": "draft", "text": ' + LONE + "}"
    r = await carrier.http.post("activity/sms/", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert "lone surrogate" in r.json()["field-errors"]["text"]
    assert await _count(carrier) == before
    assert (await carrier.http.get("activity/sms/")).status_code == 200


async def test_lone_surrogate_in_an_update_or_nested_field_is_400(carrier: Carrier) -> None:
    sms = await carrier.send(status="draft", text="fine")
    r = await carrier.http.put(f"activity/sms/{sms['id']}/", content='{"text": ' + LONE + "}")
    assert r.status_code == 400 and "text" in r.json()["field-errors"]
    assert (await carrier.sms(sms["id"]))["text"] == "fine"
    raw = '{"status": "draft", "attachments": [{"url": "u", "filename": ' + LONE + ', "content_type": "x"}]}'
    r = await carrier.http.post("activity/sms/", content=raw)
    assert r.status_code == 400
    assert "attachments.0.filename" in r.json()["field-errors"]["attachments"]


async def test_lone_surrogate_inbound_is_400_and_not_stored(carrier: Carrier) -> None:
    before = await _count(carrier)
    raw = '{"from": "+12125551234", "to": "+16503334444", "text": ' + LONE + "}"
    r = await carrier.http.post(ROOT + "_carrier/inbound", content=raw)
    assert r.status_code == 400 and "text" in r.json()["field-errors"]
    assert await _count(carrier) == before


async def test_an_old_db_opens_and_its_bad_row_cannot_take_the_api_down(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    app = create_app(api_key=KEY, seed=5, db_path=db, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        sms = (await c.post(ROOT + "api/v1/activity/sms/", json={"status": "draft", "text": "ok"})).json()
    app.carrier.close()
    # turn it into what an older carrier wrote: every record in `objects(coll, id, data)`, and the
    # SMS text with an escaped lone surrogate, as that carrier stored it
    conn = sqlite3.connect(db)
    for table in ("lead", "contact", "sms", "event"):
        conn.execute(
            f"INSERT INTO objects (coll, id, data) SELECT '{table}', id, data FROM {table} ORDER BY rid"
        )
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP TABLE contact_phone")
    (raw,) = conn.execute("SELECT data FROM objects WHERE id = ?", (sms["id"],)).fetchone()
    row = json.loads(raw)
    row["text"] = "bad \ud800 row"
    conn.execute("UPDATE objects SET data = ? WHERE id = ?", (json.dumps(row), sms["id"]))
    (leads_before,) = conn.execute("SELECT COUNT(*) FROM objects WHERE coll = 'lead'").fetchone()
    conn.commit()
    conn.close()
    app = create_app(api_key=KEY, seed=5, db_path=db, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        for path in ("api/v1/activity/sms/", f"api/v1/activity/sms/{sms['id']}/", "_carrier/state"):
            r = await c.get(ROOT + path)
            assert r.status_code == 200, (path, r.text)
        shown = (await c.get(ROOT + f"api/v1/activity/sms/{sms['id']}/")).json()
        counts = (await c.get(ROOT + "_carrier/state", params={"sms": "false"})).json()["counts"]
    assert shown["text"] == "bad \ufffd row"
    assert counts["lead"] == leads_before  # the old file was moved into the new tables, nothing lost
    app.carrier.close()


async def _override(carrier: Carrier, body: str) -> httpx.Response:
    return await carrier.http.post("activity/sms/", content=body, headers={"x-http-method-override": "GET"})


async def test_method_override_checks_its_parameters(carrier: Carrier) -> None:
    lead_id = (await carrier.get("lead/", _limit=1))["data"][0]["id"]
    ok = await _override(carrier, json.dumps({"_params": {"lead_id": lead_id, "_limit": 5}}))
    assert ok.status_code == 200 and all(s["lead_id"] == lead_id for s in ok.json()["data"])
    for body, field in [
        ('{"_params": "lead_id=x"}', "_params"),
        ('{"_params": {"lead_id": 5}}', "lead_id"),
        ('{"_params": {"lead_id": ["a", "b"]}}', "lead_id"),
        ('{"_params": {"_limit": true}}', "_limit"),
        ('{"_params": {"_limit": "many"}}', "_limit"),
        ('{"_params": {"lead_id": ' + LONE + "}}", "lead_id"),
    ]:
        r = await _override(carrier, body)
        assert r.status_code == 400, (body, r.text)
        assert field in r.json()["field-errors"], body
    for body in ("[1]", "{nope", '"x"'):
        r = await _override(carrier, body)
        assert r.status_code == 400 and r.json()["errors"], body


async def test_an_unreadable_row_is_skipped_not_a_500(tmp_path: Path) -> None:
    db = tmp_path / "hurt.db"
    app = create_app(api_key=KEY, seed=5, db_path=db, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        sms = (await c.post(ROOT + "api/v1/activity/sms/", json={"status": "draft", "text": "ok"})).json()
        lead_id = (await c.get(ROOT + "api/v1/lead/", params={"_limit": 1})).json()["data"][0]["id"]
    app.carrier.close()
    conn = sqlite3.connect(db)  # a file cut short or edited by hand
    conn.execute('UPDATE sms SET data = \'{"id": "acti_x", "text": "cut sh\' WHERE id = ?', (sms["id"],))
    conn.execute("UPDATE lead SET data = '[1, 2]' WHERE id = ?", (lead_id,))
    conn.commit()
    conn.close()
    app = create_app(api_key=KEY, seed=5, db_path=db, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        listed = await c.get(ROOT + "api/v1/activity/sms/", params={"_limit": 100})
        assert listed.status_code == 200 and sms["id"] not in {s["id"] for s in listed.json()["data"]}
        assert (await c.get(ROOT + f"api/v1/activity/sms/{sms['id']}/")).status_code == 404
        leads = await c.get(ROOT + "api/v1/lead/", params={"_limit": 200})
        assert leads.status_code == 200 and lead_id not in {x["id"] for x in leads.json()["data"]}
    app.carrier.close()

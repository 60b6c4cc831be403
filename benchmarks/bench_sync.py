"""Sync against a 100k-lead / 1M-SMS Close org (python -m benchmarks.bench_sync [--runs N]).

Measured as the rep feels it: the real `sms-tui sync --once --json` process against a Close-shaped
server on a real socket, median of `--runs`:
- first sync (cold cache, default 90-day window, scoped to the rep): seconds until the inbox is
  usable (a screenful of conversations in the cache, watched from outside the process) and until
  the process is done, with its request count;
- warm launch: seconds from exec to "online" (start = resume + one poll + one push, then exit) and
  its requests, beside the floor `sms-tui sync --help` (interpreter + CLI import) in the same run;
- a 5,000-event poll: seconds for one `SyncEngine.poll_once` (in-process, same server) after 5,000
  replies were logged, and its requests.

The server (`ScaleOrg`) is not the carrier: h8's scale builder had not landed, and the in-process
carrier keeps every record in memory (1M SMS would not fit a shared machine). `ScaleOrg` computes the
org from indexes (SMS i is created at start + i·step, in lead (i div 10) mod 100k's conversation, on
one of 4 reps' numbers or a group number), so it
answers any page in O(page) and is never the bottleneck; it follows Close's shapes and limits (activity
`_limit` 100, `_skip` cap 250,000 in Close's 400 shape, `has_more` always, event log newest first, 50
a page, cursors). Figures print with machine, date and how.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

KEY = "bench-key"
LEADS = 100_000
SMS = 1_000_000
SPAN = timedelta(days=730)
REP = "user_rep"
USERS = (REP, "user_b", "user_c", "user_d")
NUMBERS = ("+16505550100", "+16505550101", "+16505550102", "+16505550103")
GROUP = "+16505550199"  # a group number the rep is in
MAX_SKIP = 250_000


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


class ScaleOrg:
    """A Close-shaped org computed from indexes; ASGI."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.start = now - SPAN
        self.step = SPAN / SMS
        self.extra: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []  # oldest first
        self.requests = 0

    # -- the org ---------------------------------------------------------------------------------
    def sms(self, i: int) -> dict[str, Any]:
        lead = (i // 10) % LEADS  # each lead: one conversation of 10 messages
        owner = lead % 5  # a lead talks to one line: 4 reps' own numbers and the group number
        local = GROUP if owner == 4 else NUMBERS[owner]
        inbound = i % 3 == 0
        at = _iso(self.start + self.step * i)
        return {
            "_type": "SMS", "id": f"acti_{i:08d}", "organization_id": "orga_1",
            "lead_id": f"lead_{lead:06d}", "contact_id": f"cont_{lead:06d}",
            "user_id": None if inbound or owner == 4 else USERS[owner],
            "direction": "inbound" if inbound else "outbound", "status": "inbox" if inbound else "sent",
            "text": f"Message {i}: following up on the quote, does Thursday work?",
            "local_phone": local, "remote_phone": f"+1415{lead:07d}", "date_created": at,
            "date_updated": at, "date_sent": None if inbound else at, "date_scheduled": None,
            "activity_at": at, "error_message": None, "cost": None if inbound else "1",
            "template_id": None, "source": "Close.io", "attachments": [],
        }  # fmt: skip

    def lead(self, lead_id: str) -> dict[str, Any] | None:
        n = int(lead_id[5:])
        if not 0 <= n < LEADS:
            return None
        phone = {"phone": f"+1415{n:07d}", "phone_formatted": f"+1 415-{n:07d}", "type": "mobile",
                 "outbound_sms_blocked": False}  # fmt: skip
        contact = {"id": f"cont_{n:06d}", "lead_id": lead_id, "name": f"Lead {n} Person",
                   "display_name": f"Lead {n} Person", "phones": [phone]}  # fmt: skip
        at = _iso(self.start)
        return {"id": lead_id, "display_name": f"Lead {n} Inc", "name": f"Lead {n} Inc",
                "status_label": "Potential", "contacts": [contact],
                "date_created": at, "date_updated": at}  # fmt: skip

    def numbers(self) -> list[dict[str, Any]]:
        rows = [
            {"id": f"phon_{k}", "number": num, "type": "internal", "country": "US", "sms_enabled": True,
             "label": f"{USERS[k]}'s line", "user_id": USERS[k], "is_group_number": False,
             "participants": [USERS[k]], "supports_sms_to_countries": ["US", "CA"]}
            for k, num in enumerate(NUMBERS)
        ]  # fmt: skip
        rows.append({"id": "phon_g", "number": GROUP, "type": "internal", "country": "US",
                     "sms_enabled": True,
                     "label": "Sales team", "user_id": None, "is_group_number": True,
                     "participants": [REP, "user_b"], "supports_sms_to_countries": ["US"]})  # fmt: skip
        return rows

    def log_replies(self, n: int) -> None:
        """`n` replies arrive now: stored and logged (created events)."""
        base = len(self.extra)
        for k in range(n):
            sms = self.sms(k * 3)
            at = _iso(self.now)
            sms.update(id=f"acti_new{base + k:07d}", date_created=at, date_updated=at, activity_at=at,
                       text=f"Reply {base + k}")  # fmt: skip
            self.extra[sms["id"]] = sms
            self.events.append({"id": f"ev_{len(self.events):08d}", "object_type": "activity.sms",
                                "object_id": sms["id"], "action": "created", "lead_id": sms["lead_id"],
                                "date_created": at[:-6], "date_updated": at[:-6], "changed_fields": [],
                                "data": sms})  # fmt: skip

    # -- the API ---------------------------------------------------------------------------------
    def sms_page(self, q: dict[str, str]) -> tuple[int, dict[str, Any]]:
        skip, limit = int(q.get("_skip", 0)), int(q.get("_limit", 100))
        if limit > 100:
            return 400, {"errors": [], "field-errors": {"_limit": "Ensure this value is at most 100."}}
        if skip > MAX_SKIP:
            return 400, {"error": f"Invalid _skip: {skip}. The max_skip = {MAX_SKIP} for activities."}
        if "id__in" in q:
            ids = q["id__in"].split(",")
            rows = [self.extra[i] if i in self.extra else self.sms(int(i[5:])) for i in ids
                    if i in self.extra or i[5:].isdigit()]  # fmt: skip
            return 200, {"data": rows, "has_more": False}
        lo, hi = 0, SMS - 1
        for key, value in q.items():
            if key.startswith("date_created__"):
                bound = (datetime.fromisoformat(value) - self.start) / self.step
                op = key.rsplit("__", 1)[1]
                if op in ("gte", "gt"):
                    lo = max(lo, int(bound) + (1 if op == "gt" or bound != int(bound) else 0))
                else:
                    hi = min(hi, int(bound) - (1 if op == "lt" and bound == int(bound) else 0))
        top = hi - skip  # newest first; the replies logged for the poll are read by id only
        rows = [self.sms(i) for i in range(top, max(lo - 1, top - limit), -1)]
        return 200, {"data": rows, "has_more": top - limit >= lo}

    def event_page(self, q: dict[str, str]) -> tuple[int, dict[str, Any]]:
        bound = q.get("date_updated__gt")
        start = int(q["_cursor"]) if q.get("_cursor") else len(self.events)
        picked: list[dict[str, Any]] = []
        k = start - 1
        while k >= 0 and len(picked) < 50:
            event = self.events[k]
            if (
                bound is None
                or event["date_updated"] > datetime.fromisoformat(bound).replace(tzinfo=None).isoformat()
            ):
                picked.append(event)
            k -= 1
        more = k >= 0 and len(picked) == 50
        return 200, {"data": picked, "cursor_next": str(k + 1) if more else None, "cursor_previous": None}

    def route(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if path == "/api/v1/me/":
            return 200, {"id": REP, "first_name": "Ann", "last_name": "Rep", "email": "ann@example.com",
                         "organizations": [{"id": "orga_1", "name": "Scale Org"}]}  # fmt: skip
        if path == "/api/v1/phone_number/":
            return 200, {"data": self.numbers(), "has_more": False}
        if path == "/api/v1/sms_template/":
            return 200, {"data": [], "has_more": False}
        if path == "/api/v1/activity/sms/":
            return self.sms_page(q)
        if path == "/api/v1/event/":
            return self.event_page(q)
        if path.startswith("/api/v1/lead/"):
            lead = self.lead(path.split("/")[-2])
            return (200, lead) if lead else (404, {"error": "Not found."})
        return 404, {"error": "Not found."}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.requests += 1
        q = dict(parse_qsl(scope["query_string"].decode()))
        status, body = self.route(scope["path"], q)
        raw = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})  # fmt: skip
        await send({"type": "http.response.body", "body": raw})


def serve(app: ScaleOrg) -> str:
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1/"


def _env(data: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "SMS_TUI_CONFIG": str(data / "none.toml"), "SMS_TUI_BASE_URL": url,
            "SMS_TUI_API_KEY": KEY, "SMS_TUI_DATA_DIR": str(data)}  # fmt: skip


def _conversations(cache: Path) -> int:
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=0.1) as conn:
            return int(
                conn.execute("SELECT count(*) FROM lead_state WHERE latest_local_id IS NOT NULL").fetchone()[
                    0
                ]
            )
    except sqlite3.Error:
        return 0


def first_sync(url: str, data: Path, app: ScaleOrg) -> tuple[float, float, int]:
    """(seconds to a usable inbox, seconds to done, requests)."""
    before = app.requests
    began = time.perf_counter()
    cmd = [sys.executable, "-m", "sms_tui", "sync", "--once", "--json"]
    proc = subprocess.Popen(cmd, env=_env(data, url), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    usable = None
    while proc.poll() is None:
        if usable is None and _conversations(data / "cache.sqlite3") >= 50:
            usable = time.perf_counter() - began
        time.sleep(0.05)
    done = time.perf_counter() - began
    out = json.loads(proc.stdout.read() if proc.stdout else b"{}")
    assert out.get("ok"), out
    return (usable or done), done, int(out.get("requests", app.requests - before))


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    began = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, check=True)
    seconds = time.perf_counter() - began
    try:
        return seconds, json.loads(out.stdout)
    except ValueError:
        return seconds, {}


async def poll_5000(url: str, cache: Path, app: ScaleOrg) -> tuple[float, int, int]:
    from sms_tui.provider import CloseClient
    from sms_tui.store import Store
    from sms_tui.sync.engine import SyncEngine

    store = Store.open(cache)
    async with CloseClient(url, KEY) as client:
        engine = SyncEngine(store, client, now=lambda: datetime.now(UTC))
        await engine.poll_once()
        app.now = datetime.now(UTC)
        app.log_replies(5000)
        before = client.requests_sent
        began = time.perf_counter()
        report = await engine.poll_once()
        seconds = time.perf_counter() - began
        requests = client.requests_sent - before
    store.close()
    return seconds, requests, len(report.new_inbound)


def start_carrier(db: Path, args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str]:
    """`sms-tui carrier --leads … --sms … --users … --db …` (built once into `db`) on a free port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "sms_tui", "carrier", "--api-key", KEY, "--port", str(port), "--db", str(db),
           "--leads", str(args.leads), "--sms", str(args.sms), "--users", str(args.users),
           "--fault", f"key_limit={args.key_limit}", "--fault", "reply_rate=0"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/v1/"
    import httpx

    for _ in range(6000):
        try:
            if httpx.get(url + "me/", auth=(KEY, ""), timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the carrier did not start")


def carrier_replies(url: str, cache: Path, n: int) -> None:
    """`n` replies from the rep's leads to the rep's numbers, through the carrier's control API."""
    import httpx

    with sqlite3.connect(cache) as conn:
        ours = [r[0] for r in conn.execute("SELECT number FROM our_numbers WHERE country = 'US'")]
        phones = [r[0] for r in conn.execute("SELECT phone FROM lead_state WHERE phone LIKE '+1%' LIMIT 500")]
    root = url.split("/api/v1/")[0]
    with httpx.Client(auth=(KEY, ""), timeout=30) as http:
        for k in range(n):
            body = {"from": phones[k % len(phones)], "to": ours[k % len(ours)], "text": f"Reply {k}"}
            http.post(f"{root}/_carrier/inbound", json=body).raise_for_status()


async def carrier_poll(url: str, cache: Path) -> tuple[float, int, int]:
    from sms_tui.provider import CloseClient
    from sms_tui.store import Store
    from sms_tui.sync.engine import SyncEngine

    store = Store.open(cache)
    async with CloseClient(url, KEY) as client:
        engine = SyncEngine(store, client, now=lambda: datetime.now(UTC))
        before = client.requests_sent
        began = time.perf_counter()
        report = await engine.poll_once()
        seconds = time.perf_counter() - began
        requests = client.requests_sent - before
    store.close()
    return seconds, requests, len(report.new_inbound)


def main_carrier(args: argparse.Namespace) -> None:
    """The same figures against h8's fake carrier serving a generated org from its --db."""
    med = statistics.median
    db = Path(args.db)
    began = time.perf_counter()
    proc, url = start_carrier(db, args)
    print(f"carrier up in {time.perf_counter() - began:.1f} s ({args.leads:,} leads, {args.sms:,} SMS, "
          f"{args.users} users, key_limit={args.key_limit})", flush=True)  # fmt: skip
    cold, warm, floor, polls = [], [], [], []
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                data = Path(tmp)
                cold.append(first_sync(url, data, ScaleOrg(datetime.now(UTC))))
                env = _env(data, url)
                floor.append(timed([sys.executable, "-m", "sms_tui", "sync", "--help"], env)[0])
                # The first launch after a first sync also reads what happened while it ran; the
                # steady figure is the median of the next launches.
                once = [sys.executable, "-m", "sms_tui", "sync", "--once", "--json"]
                seconds, out = timed(once, env)
                print(f"  first launch after the first sync: {seconds:.2f} s, {out.get('requests')} requests")
                steady = [timed(once, env) for _ in range(5)]
                warm.append(
                    (med(t for t, _ in steady), int(med(int(o.get("requests", -1)) for _, o in steady)))
                )
                carrier_replies(url, data / "cache.sqlite3", 5000)
                polls.append(asyncio.run(carrier_poll(url, data / "cache.sqlite3")))
            print(f"  run {run + 1}: first sync usable {cold[-1][0]:.1f} s, done {cold[-1][1]:.1f} s; "
                  f"warm {warm[-1][0]:.2f} s ({warm[-1][1]} requests), floor {floor[-1]:.2f} s; "
                  f"5,000-event poll {polls[-1][0]:.2f} s ({polls[-1][1]} requests, {polls[-1][2]:,} new)",
                  flush=True)  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    usable, done, sent = med(c[0] for c in cold), med(c[1] for c in cold), med(c[2] for c in cold)
    print(f"carrier: first sync usable {usable:.1f} s, done {done:.1f} s ({sent:,.0f} requests); "
          f"warm {med(w[0] for w in warm):.2f} s ({med(w[1] for w in warm):.0f} requests), floor "
          f"{med(floor):.2f} s; 5,000-event poll {med(p[0] for p in polls):.2f} s "
          f"({med(p[1] for p in polls):.0f} requests)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", choices=["scale", "carrier"], default="scale")
    parser.add_argument("--db", default="/tmp/sms-tui-bench-carrier.sqlite3", help="carrier: the org's db")
    parser.add_argument("--leads", type=int, default=LEADS)
    parser.add_argument("--sms", type=int, default=SMS)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--key-limit", type=float, default=0, help="carrier: requests/s per key (0 = off)")
    args = parser.parse_args()
    if args.source == "carrier":
        main_carrier(args)
        return
    print(f"machine: {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; org: {LEADS:,} leads, {SMS:,} SMS over 2 years, "
          f"4 reps + a group number; median of {args.runs}")  # fmt: skip
    app = ScaleOrg(datetime.now(UTC))
    url = serve(app)
    cold, warm, floor, polls = [], [], [], []
    for run in range(args.runs):
        app.events.clear()  # each run starts on a quiet log (the last run's 5,000 replies are history)
        app.extra.clear()
        app.now = datetime.now(UTC)
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            cold.append(first_sync(url, data, app))
            env = _env(data, url)
            floor.append(timed([sys.executable, "-m", "sms_tui", "sync", "--help"], env)[0])
            seconds, out = timed([sys.executable, "-m", "sms_tui", "sync", "--once", "--json"], env)
            warm.append((seconds, int(out.get("requests", -1))))
            polls.append(asyncio.run(poll_5000(url, data / "cache.sqlite3", app)))
        print(f"  run {run + 1}: first sync usable {cold[-1][0]:.1f} s, done {cold[-1][1]:.1f} s "
              f"({cold[-1][2]:,} requests); warm {warm[-1][0]:.2f} s ({warm[-1][1]} requests), floor "
              f"{floor[-1]:.2f} s; 5,000-event poll {polls[-1][0]:.2f} s ({polls[-1][1]} requests, "
              f"{polls[-1][2]:,} new)", flush=True)  # fmt: skip
    med = statistics.median
    usable, done = med(c[0] for c in cold), med(c[1] for c in cold)
    print(f"first sync to a usable inbox: {usable:.1f} s (done {done:.1f} s, "
          f"{med(c[2] for c in cold):,.0f} requests); goal <= 15 s")  # fmt: skip
    print(f"warm launch to online (exec, resume, 1 poll, 1 push, exit): {med(w[0] for w in warm):.2f} s, "
          f"{med(w[1] for w in warm):.0f} requests; floor (sync --help) {med(floor):.2f} s; beyond the floor "
          f"{med(w[0] for w in warm) - med(floor):.2f} s; goal <= 5 requests, <= 1 s")  # fmt: skip
    print(
        f"5,000-event poll: {med(p[0] for p in polls):.2f} s, "
        f"{med(p[1] for p in polls):.0f} requests; goal <= 3 s"
    )


if __name__ == "__main__":
    main()

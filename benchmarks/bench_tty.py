"""What the rep feels, measured on the real `sms-tui` process in a pseudo-terminal, beside a floor
and a peer measured in the same run (median of N runs; p50/p95 over many keys).

    python -m benchmarks.bench_tty [CACHE] [--runs 5] [--keys 100]

CACHE defaults to benchmarks/data/cache.db (`python -m benchmarks.gen_cache CACHE`). A lead with
10,000 messages is added to it once (`Longwinded Logistics`, the newest activity: the top row).

- floor: a bare Textual app (benchmarks/apps/floor.py), exec -> its one line painted.
- inbox: `sms-tui` on a hard link of CACHE, configured for a provider that is not there (a dead
  local port: the client, the engine and the failing first sync all run, as on a real start);
  exec -> first rows painted; key (j) -> the next lead's conversation header painted; the
  10,000-message lead (k back onto it); End -> the last row painted; search Enter -> the result's
  rows painted, for a rare word, a common word and `the` (from the Unread filter, so the result's
  rows are new on screen); the composer (`r`): each key of a typed reply, then each backspace
  deleting it -> the counter painted; RSS after all that (the heavy use).
- key floor: a bare Textual app whose `j` changes one Static's text
  (benchmarks/apps/floor_keys.py): key -> that text painted, what a key costs in any Textual app.
- peer: a DataTable lead list over the same store (benchmarks/apps/peer_table.py) whose header
  line shows the highlighted lead's number: key (j) -> that line painted.
- composer peer: a bare TextArea whose change rewrites one counter line
  (benchmarks/apps/peer_composer.py): the same keys -> that line painted.

Start-up is timed with PYTHONDONTWRITEBYTECODE unset (compiled bytecode is reused,
as installed); the floor's and sms-tui's starts alternate. A fixed pure-Python loop is timed at the
start and the end ("machine speed"): on a shared VM it moves by a third within minutes, and every
figure moves with it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.tty import Term

DEFAULT = Path(__file__).parent / "data" / "cache.db"
SIZE = (120, 36)
LONG_LEAD = "lead_bench_long"
LONG_PHONE = "+14155559999"
LONG_NAME = "Longwinded Logistics"
SEARCHES = {"rare": "pricing", "common": "thanks", "the": "the"}
#: What the composer bench types (then deletes, a backspace at a time): a reply a rep would send.
REPLY = "Thanks! I can do Tuesday at 3pm, does that work for you?"
COUNTER = re.compile(r"(\d+)/1000 ·")


def _env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        SMS_TUI_DATA_DIR=data_dir,
        SMS_TUI_BASE_URL="http://127.0.0.1:9/api/v1/",  # nothing listens: the first sync fails
        SMS_TUI_API_KEY="bench_not_a_key",
        SMS_TUI_TIMEZONE="UTC",
    )
    return env


def add_long_lead(path: str) -> None:
    """Give the cache one lead with 10,000 messages (once), the most recent of all."""
    from sms_tui.core.models import Contact, ContactPhone, Lead, Message
    from sms_tui.store import Store

    with Store.open(path) as store:
        if store.lead_row(LONG_LEAD) is not None:
            return
        contact = Contact(
            "cont_bench_long", LONG_LEAD, "Lou Long", "Lou", "Long", (ContactPhone(LONG_PHONE),)
        )
        store.upsert_leads([Lead(LONG_LEAD, LONG_NAME, (contact,))])
        end = datetime.now(UTC) + timedelta(days=3650)  # stays the newest for years
        msgs = [
            Message(
                local_id=0,
                lead_id=LONG_LEAD,
                direction="outbound" if i % 2 else "inbound",
                local_state="sent" if i % 2 else "inbox",
                text=f"Message {i} about the shipment, the pallets and when they can be picked up",
                remote_id=f"acti_bench_long_{i:05d}",
                contact_id=contact.id,
                status="sent" if i % 2 else "inbox",
                local_phone="+14155550000",
                remote_phone=LONG_PHONE,
                date_created=end - timedelta(minutes=10_000 - i),
            )
            for i in range(10_000)
        ]
        store.apply_remote_messages(msgs, unread_inbound=False, now=end)


def _phone_as_shown(phone: str | None) -> str:
    """The phone as the conversation's header shows it: formatted, or as stored when it does not
    parse (the header then shows it raw beside the reason). It was "" for those, and waiting for
    "" returns at once: at 1M leads (many generated numbers do not parse) the long-lead loop's j
    was not waited for, so j and k were painted in one frame and "k onto the long lead" measured
    a frame that did not switch conversations (p50 3 ms)."""
    from sms_tui.core.phones import PhoneError, parse_phone

    if not phone:
        return ""
    try:
        return parse_phone(phone).international or phone
    except PhoneError:
        return phone


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _fmt(values: list[float]) -> str:
    return f"p50 {_pct(values, 50):.1f} ms, p95 {_pct(values, 95):.1f} ms (n={len(values)})"


def floor_start(runs: int) -> list[float]:
    out = []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(runs):
        with Term([sys.executable, "-m", "benchmarks.apps.floor"], env, SIZE) as term:
            out.append(term.wait("FLOOR READY") - term.started)
    return out


def inbox_start(path: str, runs: int, first_name: str) -> list[float]:
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-tty-") as tmp:
        os.link(path, Path(tmp) / "cache.sqlite3")
        for _ in range(runs):
            with Term([str(Path(sys.executable).parent / "sms-tui")], _env(tmp), SIZE) as term:
                out.append(term.wait(first_name) - term.started)
    return out


def starts(path: str, runs: int, first_name: str) -> tuple[list[float], list[float]]:
    """The floor's and sms-tui's start-ups, alternating (this VM's speed moves within minutes:
    run one after the other, the ratio moved with it)."""
    floor: list[float] = []
    inbox: list[float] = []
    for _ in range(runs):
        floor += floor_start(1)
        inbox += inbox_start(path, 1, first_name)
    return floor, inbox


def calibration() -> float:
    """A fixed pure-Python loop, best of 5 (ms): how fast the machine is right now."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(range(3_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def inbox_session(path: str, keys: int) -> dict[str, Any]:
    """One long session: j moves, the long lead, End, searches, then RSS."""
    from sms_tui.store import Store

    now = datetime.now(UTC)
    with Store.open(path) as store:
        rows = store.lead_page(limit=keys + 2, now=now).rows
        last = store.lead_page(limit=1, from_end=True, now=now).rows[0]
        unread = store.lead_page(query="is:unread", limit=16, now=now).rows  # the "2" filter
        visible = {r.display_name for r in unread}
        targets: dict[str, str] = {}
        for kind, word in SEARCHES.items():
            found = store.lead_page(query=word, limit=15, now=now).rows
            fresh = [r.display_name for r in found if r.display_name not in visible]
            targets[kind] = fresh[0] if fresh else ""
    phones = [_phone_as_shown(r.phone) for r in rows]
    out: dict[str, Any] = {
        "j": [],
        "long": [],
        "end": [],
        "search": {k: [] for k in SEARCHES},
        "composer": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-tty-") as tmp:
        os.link(path, Path(tmp) / "cache.sqlite3")
        with Term([str(Path(sys.executable).parent / "sms-tui")], _env(tmp), SIZE) as term:
            term.wait(rows[0].display_name)
            term.wait(_phone_as_shown(LONG_PHONE))
            time.sleep(1.0)  # let the count and the failed first sync settle
            for i in range(1, keys + 1):
                term.mark()
                sent = term.keys("j")
                if phones[i] and phones[i] != phones[i - 1]:
                    out["j"].append((term.wait(phones[i], timeout=10) - sent) * 1000)
                else:
                    time.sleep(0.2)
            term.keys("g")  # back to the top: row 1, then k onto the long lead and j off it
            term.wait(_phone_as_shown(LONG_PHONE))
            for _ in range(20):
                term.mark()
                term.keys("j")
                term.wait(phones[1])
                term.mark()
                sent = term.keys("k")
                out["long"].append((term.wait(_phone_as_shown(LONG_PHONE)) - sent) * 1000)
            for _ in range(5):
                term.mark()
                sent = term.keys("G")
                out["end"].append((term.wait(last.display_name, timeout=30) - sent) * 1000)
                term.keys("g")
                term.wait(LONG_NAME)
                time.sleep(0.3)
            term.keys("2")  # searches start from the Unread filter: their rows all differ from it
            term.wait(unread[0].display_name)
            time.sleep(0.5)
            for _ in range(5):
                for kind, word in SEARCHES.items():
                    if not targets[kind]:
                        continue
                    term.keys("/")
                    term.wait("search: name")  # the bar is open (its placeholder)
                    term.keys(word)
                    term.wait_gone("search: name")  # the word is in it
                    time.sleep(0.1)
                    term.mark()
                    sent = term.keys("\r")
                    shown = term.wait(targets[kind], timeout=30)
                    out["search"][kind].append((shown - sent) * 1000)
                    term.keys("2")  # back to the Unread filter
                    term.wait(unread[0].display_name)
                    time.sleep(0.5)
            term.keys("r")  # reply: the composer of the selected lead takes the keys
            out["composer"] = composer_keys(term)
            term.keys("\x1b")  # back to the list
            out["rss_mb"] = term.rss_mb()
    return out


def composer_keys(term: Term) -> list[float]:
    """Type REPLY a key at a time, then delete it a backspace at a time: key -> counter painted.
    The counter counts the text without its outer spaces (what would be sent), so a key that
    does not change it (a trailing space, deleting a space) is pressed but not timed. The draft
    is left as it was (the cache is the caller's)."""
    term.wait("/1000 ·")
    time.sleep(0.5)
    found = next((m for line in term.screen.display if (m := COUNTER.search(line))), None)
    before = int(found.group(1)) if found else 0
    typed = [(ch, REPLY[: i + 1]) for i, ch in enumerate(REPLY)]
    deleted = [("\x7f", REPLY[:i]) for i in range(len(REPLY) - 1, -1, -1)]
    out, shown = [], before
    for data, text in typed + deleted:
        n = before + len(text.strip())
        term.mark()
        sent = term.keys(data)
        if n == shown:
            time.sleep(0.1)
            continue
        out.append((term.wait(f"{n}/1000 ·", timeout=10) - sent) * 1000)
        shown = n
    return out


def peer_composer() -> list[float]:
    """The composer's peer: a bare TextArea with a counter line, the same keys."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with Term([sys.executable, "-m", "benchmarks.apps.peer_composer"], env, SIZE) as term:
        return composer_keys(term)


def floor_keys(keys: int) -> list[float]:
    """The key floor: a bare Textual app whose `j` changes one Static's text; key -> painted."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = []
    with Term([sys.executable, "-m", "benchmarks.apps.floor_keys"], env, SIZE) as term:
        term.wait("FLOOR KEY 0000")
        time.sleep(0.5)
        for i in range(1, keys + 1):
            term.mark()
            sent = term.keys("j")
            out.append((term.wait(f"FLOOR KEY {i:04d}", timeout=10) - sent) * 1000)
    return out


def peer_keys(path: str, keys: int) -> dict[str, Any]:
    from sms_tui.store import Store

    with Store.open(path) as store:
        rows = store.lead_page(limit=keys + 2, now=datetime.now(UTC)).rows
    phones = [_phone_as_shown(r.phone) for r in rows]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out: dict[str, Any] = {"j": []}
    with Term([sys.executable, "-m", "benchmarks.apps.peer_table", path], env, SIZE) as term:
        out["start_s"] = term.wait(f"PEER {phones[0]}") - term.started
        time.sleep(0.5)
        for i in range(1, keys + 1):
            term.mark()
            sent = term.keys("\x1b[B")  # down (a DataTable has no j)
            if phones[i] and phones[i] != phones[i - 1]:
                out["j"].append((term.wait(phones[i], timeout=10) - sent) * 1000)
            else:
                time.sleep(0.2)
        out["rss_mb"] = term.rss_mb()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Whole-process timings in a pseudo-terminal.")
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument(
        "--runs", type=int, default=5, help="start-ups of each program (median shown; 0: keys only)"
    )
    ap.add_argument("--keys", type=int, default=100, help="j presses timed in the session")
    args = ap.parse_args(argv)
    if not Path(args.path).exists():
        print(
            f"no cache at {args.path}: run `python -m benchmarks.gen_cache {args.path}` first",
            file=sys.stderr,
        )
        raise SystemExit(2)
    add_long_lead(args.path)
    from sms_tui.store import Store

    with Store.open(args.path) as store:
        first = store.lead_page(limit=1, now=datetime.now(UTC)).rows[0].display_name
        leads = store.stats()["leads"]
    print(
        f"{platform.node()} · {os.cpu_count()} cores · {platform.python_version()} · "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · cache {leads:,} leads · terminal {SIZE[0]}x{SIZE[1]}"
    )
    print(f"machine speed: sum(range(3_000_000)) best of 5 {calibration():.1f} ms (at the start)")
    if args.runs > 0:
        floor, inbox = starts(args.path, args.runs, first)
        runs_f = ", ".join(f"{x:.2f}" for x in floor)
        runs_i = ", ".join(f"{x:.2f}" for x in inbox)
        ratio = statistics.median(inbox) / statistics.median(floor)
        print(f"exec -> first paint: floor (bare Textual) median {statistics.median(floor):.3f} s [{runs_f}]")
        print(
            f"exec -> first rows:  sms-tui median {statistics.median(inbox):.3f} s [{runs_i}]; "
            f"{ratio:.2f}x floor"
        )
    key_floor = floor_keys(args.keys)
    session = inbox_session(args.path, args.keys)
    peer = peer_keys(args.path, args.keys)
    peer_typing = peer_composer()
    print(f"key j -> one Static painted (bare Textual floor): {_fmt(key_floor)}")
    print(f"key j -> conversation painted (sms-tui): {_fmt(session['j'])}")
    print(f"key j -> header painted (DataTable peer): {_fmt(peer['j'])}")
    print(f"key k -> 10,000-message lead painted:    {_fmt(session['long'])}")
    print(f"composer key -> counter painted (sms-tui): {_fmt(session['composer'])}")
    print(f"composer key -> counter painted (TextArea peer): {_fmt(peer_typing)}")
    print(f"End -> last row painted:                 {_fmt(session['end'])}")
    for kind, word in SEARCHES.items():
        values = session["search"][kind]
        print(
            f"search {word!r} ({kind}) Enter -> rows painted: {_fmt(values) if values else 'no target row'}"
        )
    print(
        f"RSS after the session: sms-tui {session['rss_mb']:.0f} MB; DataTable peer {peer['rss_mb']:.0f} MB"
    )
    print(f"machine speed: sum(range(3_000_000)) best of 5 {calibration():.1f} ms (at the end)")


if __name__ == "__main__":
    main()

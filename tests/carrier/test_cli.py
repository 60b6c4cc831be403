"""`sms-tui carrier` as a user runs it: a subprocess on loopback that logs one line per request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

KEY = "cli-secret-key"
REQUEST_LINE = re.compile(r"^\d\d:\d\d:\d\d (GET|POST|PUT|DELETE) (/\S*) (\d{3}|dropped) [\d.]+ms$")
RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def _start(*args: str) -> tuple[subprocess.Popen[str], int, float]:
    """Start the carrier on a free port; return it, its port and the seconds until it answered."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sms_tui", "carrier", "--port", "0", "--seed", "4", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "SMS_TUI_CARRIER_API_KEY": KEY},
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        match = RUNNING.search(line)
        if match:
            return proc, int(match.group(1)), time.perf_counter() - began
    proc.kill()
    raise AssertionError("the carrier never said it was running")


def _stop(proc: subprocess.Popen[str]) -> list[str]:
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    return err.splitlines()


def test_carrier_command_serves_and_logs_one_line_per_request(tmp_path: Path) -> None:
    db = tmp_path / "carrier.db"
    proc, port, startup = _start("--db", str(db))
    print(f"sms-tui carrier answered after {startup:.2f} s")  # reported, not asserted
    base = f"http://127.0.0.1:{port}/api/v1/"
    try:
        with httpx.Client(base_url=base, auth=(KEY, "")) as c:
            assert c.get("me/").status_code == 200
            sms = c.post("activity/sms/", json={"status": "draft", "text": "survive a restart"}).json()
            assert c.get("nope/").status_code == 404
            assert httpx.get(base + "me/", auth=("wrong", "")).status_code == 401
            r = c.get("lead/", params={"_limit": 2})
            assert r.status_code == 200 and len(r.json()["data"]) == 2
    finally:
        lines = _stop(proc)
    requests = [m.groups() for m in map(REQUEST_LINE.match, lines) if m]
    assert requests == [
        ("GET", "/api/v1/me/", "200"),
        ("POST", "/api/v1/activity/sms/", "200"),
        ("GET", "/api/v1/nope/", "404"),
        ("GET", "/api/v1/me/", "401"),
        ("GET", "/api/v1/lead/", "200"),
    ]
    assert not any(KEY in line for line in lines)

    proc, port, _ = _start("--db", str(db))
    try:
        got = httpx.get(f"http://127.0.0.1:{port}/api/v1/activity/sms/{sms['id']}/", auth=(KEY, ""))
    finally:
        _stop(proc)
    assert got.status_code == 200 and got.json()["text"] == "survive a restart"


def test_bad_options_fail_cleanly(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "sms_tui", "carrier", "--api-key", "k", "--fault", "rate_429=7"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert r.returncode == 2 and "rate_429" in r.stderr and "Traceback" not in r.stderr


def test_a_generated_org_is_built_into_the_db_once(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    proc, port, _ = _start("--db", str(db), "--leads", "60", "--sms", "500", "--users", "3")
    try:
        state = httpx.get(f"http://127.0.0.1:{port}/_carrier/state", params={"sms": "false"}, auth=(KEY, ""))
        r = httpx.get(f"http://127.0.0.1:{port}/api/v1/lead/", auth=(KEY, ""))
    finally:
        _stop(proc)
    counts = state.json()["counts"]
    assert (counts["lead"], counts["sms"], counts["user"]) == (60, 500, 3)
    assert r.headers["ratelimit"].startswith("limit=40, ")  # Close's limits are on from the command line
    proc, port, _ = _start("--db", str(db))  # the file remembers its org
    try:
        again = httpx.get(f"http://127.0.0.1:{port}/_carrier/state", params={"sms": "false"}, auth=(KEY, ""))
    finally:
        _stop(proc)
    assert again.json()["counts"] == counts

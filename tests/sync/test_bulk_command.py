"""`sms-tui bulk`: the inbox's campaign built headless from a search; --dry-run --json shows each
recipient's preview and verdict; the campaign it stores is run by the sync engine like any other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sms_tui.cli import main
from sms_tui.commands import bulk as bulk_command
from sms_tui.store import Store
from tests.sync.campaign_world import carrier_outbound, drive
from tests.sync.harness import World

TEXT = "Hi {{ contact.first_name }}, this is Alex from Sunrise Solar: 10% off. Reply STOP to opt out."
#: 16:30 in New York, 21:30 in London: British leads are in quiet hours (a warning), the others are not.
UK_EVENING = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)


@pytest.fixture
def cli(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    world.clock.set(UK_EVENING)
    monkeypatch.setattr(bulk_command, "_now", world.clock.now)
    monkeypatch.setenv("SMS_TUI_CONFIG", str(world.tmp / "none.toml"))
    monkeypatch.setenv("SMS_TUI_DATA_DIR", str(world.tmp))
    monkeypatch.setenv("SMS_TUI_TIMEZONE", "America/New_York")

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["bulk", *args])

    yield run


def test_dry_run_json_previews_every_lead_of_the_search_and_stores_nothing(world: World, cli: Any) -> None:
    result = cli("--query", "sms(status:sent)", "--text", TEXT, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    store = Store.open(world.cache_path)
    try:
        lead_ids = store.lead_ids("sms(status:sent)", now=world.clock.now())
        assert [r["lead_id"] for r in out["recipients"]] == lead_ids
        assert store.campaigns() == []
        flags = {r["lead_id"]: store.lead_row(r["lead_id"]) for r in out["recipients"]}
    finally:
        store.close()
    verdicts = {r["verdict"] for r in out["recipients"]}
    assert verdicts == {"ok", "warn", "block"}
    for r in out["recipients"]:
        assert r["decision"] == {"ok": "send", "warn": "skip", "block": "blocked"}[r["verdict"]]
        if r["verdict"] == "ok":
            assert r["text"].startswith("Hi ") and "{{" not in r["text"] and r["segments"] >= 1
            assert r["to"] and r["from"] and r["time_zone"]
        if r["verdict"] == "block":
            assert r["blocks"] and r["blocks"][0]["message"]
    blocked_opted_out = [r for r in out["recipients"] if any(b["code"] == "opted_out" for b in r["blocks"])]
    assert blocked_opted_out and all(flags[r["lead_id"]] is not None for r in blocked_opted_out)
    totals = out["totals"]
    assert totals["recipients"] == len(lead_ids) and totals["sending"] == totals["ok"]
    assert out["campaign"]["mode"] == "now"


async def test_a_template_campaign_is_stored_and_the_engine_sends_exactly_the_clean_ones(
    world: World, cli: Any
) -> None:
    await world.faults(reply_rate=0, carrier_error_rate=0)
    result = cli("--query", "sms(status:sent)", "--template", "intro", "--name", "Intro blast")
    assert result.exit_code == 0, result.output
    assert "to send" in result.output
    store = world.store()
    [campaign] = store.campaigns()
    assert campaign.spec.name == "Intro blast" and campaign.spec.template_id is not None
    going = store.campaign_recipients(campaign.id, state="pending", limit=1000)
    assert going and all(r.verdict == "ok" for r in going)
    assert store.campaign_recipients(campaign.id, state="skipped", limit=1000)  # the warned ones
    engine = world.engine(store)
    await drive(world, engine, 600, step=1.0)
    outbound = [s for s in await carrier_outbound(world) if s["date_created"] >= UK_EVENING.isoformat()]
    sent_to = sorted(s["remote_phone"] for s in outbound)
    assert sent_to == sorted(r.phone for r in going)  # each clean recipient once, nobody else
    counts = store.campaign_progress(campaign.id).counts
    assert counts["sent"] + counts["failed"] == len(going) and counts["pending"] == 0


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--schedule", "9:30 their time"], lambda s: s.mode == "schedule" and s.local_time == time(9, 30)),
        # 09:00 in New York (the rep's zone here) is 14:00 UTC
        (["--schedule", "2026-11-24 09:00"], lambda s: s.mode == "schedule" and s.at.hour == 14),
        (["--drip", "20/15", "--daily-cap", "200"],
         lambda s: (s.mode, s.drip_count, s.drip_minutes, s.daily_cap) == ("drip", 20, 15, 200)),
    ],
)  # fmt: skip
def test_send_modes(world: World, cli: Any, args: list[str], check: Any) -> None:
    result = cli("--query", "sms(status:sent)", "--text", TEXT, "--json", *args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True
    store = Store.open(world.cache_path)
    try:
        [campaign] = store.campaigns()
        assert check(campaign.spec), campaign.spec
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--query", "sms(status:sent", "--text", "hi"], "expected ')'"),
        (["--query", "zzz_nobody_zzz", "--text", "hi"], "No lead matches"),
        (["--query", "opted_out:false", "--template", "nope"], "Templates: 'Follow-up'"),
        (["--query", "opted_out:false"], "exactly one of --template NAME or --text TEXT"),
        (["--query", "opted_out:false", "--text", "hi", "--drip", "5"], "give N/M"),
        (["--query", "opted_out:false", "--text", "hi", "--drip", "0/5"], "at least 1 message"),
        (["--query", "opted_out:false", "--text", "hi", "--schedule", "soonish"], "9:30 their time"),
        (["--query", "opted_out:false", "--text", "hi", "--schedule", "2020-01-01 09:00"], "in the past"),
        (["--query", "opted_out:false", "--text", "hi", "--schedule", "13:00 pm their time"], "1 to 12"),
        (["--query", "opted_out:false", "--text", "hi", "--drip", "5/5", "--schedule", "9:00 their time"],
         "not both"),
        (["--query", "opted_out:false", "--text", "x" * 1001], "at most 1,000"),
    ],
)  # fmt: skip
def test_bad_input_gets_one_clear_sentence_and_stores_nothing(
    world: World, cli: Any, args: list[str], says: str
) -> None:
    result = cli(*args, "--json")
    assert result.exit_code == 2
    assert says in json.loads(result.stdout.splitlines()[-1])["error"]
    store = Store.open(world.cache_path)
    try:
        assert store.campaigns() == []
    finally:
        store.close()

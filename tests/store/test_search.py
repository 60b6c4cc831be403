"""The search language against a small cache whose answers are known lead by lead.

The rep is in Los Angeles: at NOW (15:00 UTC) it is 07:00 there, so "today" starts at 08:00 UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sms_tui.core.query import QuerySyntaxError
from sms_tui.store import Store
from tests.store.conftest import NOW, make_lead, sms

LA = ZoneInfo("America/Los_Angeles")
# Every message is in NOW's past: today in LA began at 08:00 UTC, NOW is 15:00 UTC.
T_TODAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("UTC"))  # 02:00 LA today
T_UTC_ONLY = datetime(2026, 11, 23, 5, 0, tzinfo=ZoneInfo("UTC"))  # 21:00 LA *yesterday*
DAYS = timedelta(days=1)

NAMES = {
    1: "Acme",
    2: "Globex",
    3: "Initech",
    4: "Umbrella",
    5: "Stark",
    6: "Wayne",
    7: "Hooli",
    8: "Tyrell",
    9: "Cyberdyne",
}


def ids(*ns: int) -> set[str]:
    return {f"lead_{n}" for n in ns}


@pytest.fixture
def cache(store: Store) -> Store:
    contacts = {1: "Bob Smith", 2: "Ann Lee", 3: "Grace Hopper"}
    store.upsert_leads(
        make_lead(n, name, contact=contacts.get(n, "Pat Doe"), created=NOW - n * DAYS)
        for n, name in NAMES.items()
    )
    store.apply_remote_messages(
        [
            # 1: two failures, the latest one today -> failed_sms 2, latest error
            sms("a1", 1, status="error", text="first try", at=NOW - 3 * DAYS),
            sms("a2", 1, status="error", text="second try", at=T_TODAY),
            # 2: a failure, then a reply (unread)
            sms("a3", 2, status="error", text="hello", at=NOW - 3 * DAYS),
            sms("a4", 2, status="inbox", text="who is this?", at=NOW - 2 * DAYS),
            # 3: a clean send today
            sms("a5", 3, status="sent", text="Can you send the pricing sheet?", at=T_TODAY),
            # 4: failure yesterday, a reply today
            sms("a6", 4, status="error", text="ping", at=NOW - DAYS),
            sms("a7", 4, status="inbox", text="pong", at=T_TODAY),
            # 5: an old failure, today an inbound and an outbound sent: no *single* message matches
            #    sms(created:today direction:outgoing status:error)
            sms("a8", 5, status="error", text="old", at=NOW - 10 * DAYS),
            sms("a9", 5, status="inbox", text="hi there", at=T_TODAY),
            sms("a10", 5, status="sent", text="hi back", at=T_TODAY + timedelta(minutes=5)),
            # 7: three failures but the lead is done
            sms("a11", 7, status="error", text="x", at=NOW - 5 * DAYS),
            sms("a12", 7, status="error", text="y", at=NOW - 4 * DAYS),
            sms("a13", 7, status="error", text="z", at=T_TODAY),
            # 9: one failure at 05:00 UTC: today in UTC, yesterday in Los Angeles
            sms("a14", 9, status="error", text="late", at=T_UTC_ONLY),
        ]
    )
    # 8: our send, blocked by the send guard today (a failure the rep must see)
    local = store.enqueue_send(
        lead_id="lead_8",
        contact_id="cont_8",
        text="Deal?",
        remote_phone="+16505550008",
        local_phone="+14155550100",
        send_at=T_TODAY,
        now=T_TODAY,
    )
    store.claim_due(now=T_TODAY, owner="engine")
    store.mark_blocked(local, "opted out")
    store.mark_read("lead_4")
    store.set_done("lead_7")
    return store


def find(store: Store, query: str, tz: ZoneInfo = LA) -> set[str]:
    found = {r.lead_id for r in store.lead_page(query=query, now=NOW, tz=tz, limit=100).rows}
    assert store.count_leads(query, now=NOW, tz=tz) == len(found)
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("failed_sms > 1", ids(1)),
        ("has:error_sms_messages", ids(1, 2, 4, 5, 8, 9)),
        ("sms(created:today direction:outgoing status:error)", ids(1, 8)),
        ("latest_sms_status:error", ids(1, 8, 9)),
        ("sms_messages > 0", ids(1, 2, 3, 4, 5, 8, 9)),
    ],
)
def test_seed_queries_return_exactly_the_right_leads(cache: Store, query: str, expected: set[str]) -> None:
    assert find(cache, query) == expected


def test_today_is_the_reps_day_not_utcs(cache: Store) -> None:
    query = "sms(created:today direction:outgoing status:error)"
    assert find(cache, query, tz=ZoneInfo("UTC")) == ids(1, 8, 9)
    assert find(cache, "sms(created:yesterday status:error)") == ids(4, 9)


def test_done_leads_are_left_out_unless_asked_for(cache: Store) -> None:
    assert "lead_7" not in find(cache, "")
    assert find(cache, "is:done") == ids(7)
    assert find(cache, "failed_sms > 1 is:done") == ids(7)
    assert find(cache, "failed_sms >= 3 OR is:done") == ids(7)


def test_snoozed_leads_come_back_when_due(cache: Store) -> None:
    cache.snooze("lead_3", NOW + timedelta(hours=2))
    assert "lead_3" not in find(cache, "")
    assert find(cache, "is:snoozed") == ids(3)
    later = {r.lead_id for r in cache.lead_page(now=NOW + timedelta(hours=3), limit=100).rows}
    assert "lead_3" in later


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("is:unread", ids(2, 5)),
        ("-is:unread", ids(1, 3, 4, 6, 8, 9)),
        ("sms(direction:incoming)", ids(2, 4, 5)),
        ("sms(direction:inbound created:today)", ids(4, 5)),
        ("sms(status:sent)", ids(3, 5)),
        ("sms()", ids(1, 2, 3, 4, 5, 8, 9)),
        ("sms_messages = 0", ids(6)),
        ("failed_sms > 1 OR is:unread", ids(1, 2, 5)),
        ("NOT (has:error_sms_messages OR sms_messages = 0)", ids(3)),
        ("-has:error_sms_messages", ids(3, 6)),
        ("(is:unread OR latest_sms_status:sent) failed_sms < 1", ids(3)),
        ("latest_sms_status:inbox AND failed_sms = 1", ids(2, 4)),
        ("created:2026-11-20", ids(3)),  # created NOW - 3 days, in LA
        ("created:2026-11-18..2026-11-20", ids(3, 4, 5)),
        ('created >= "2026-11-21"', ids(1, 2)),
        ("created < 2026-11-16", ids(8, 9)),
    ],
)
def test_language(cache: Store, query: str, expected: set[str]) -> None:
    assert find(cache, query) == expected


def test_free_text_searches_messages_and_names(cache: Store) -> None:
    assert find(cache, "pricing") == ids(3)
    assert find(cache, "pric") == ids(3)  # as you type: a prefix matches
    assert find(cache, '"pricing sheet"') == ids(3)
    assert find(cache, '"sheet pricing"') == set()
    assert find(cache, "acme") == ids(1)
    assert find(cache, "grace") == ids(3)  # a contact's name
    assert find(cache, "name:lee") == ids(2)
    assert find(cache, "name:pricing") == set()  # name: looks at names only
    assert find(cache, "hi -back") == set()  # lead 5 has "hi there" and "hi back"
    assert find(cache, "sms(hi -back)") == ids(5)  # the same message: "hi there"
    assert find(cache, "Who is THIS") == ids(2)  # case-insensitive, every word


def test_free_text_is_data_not_fts_syntax(cache: Store) -> None:
    for query in ['"NEAR(', "a* OR", "col:umn", "'", "^x", "AND", "(x OR y) NOT z"]:
        try:
            cache.lead_page(query=query, now=NOW)
        except QuerySyntaxError:
            pass  # our own parser may refuse it, with a position; SQLite must never see a bad MATCH


@pytest.mark.parametrize(
    "query",
    [
        "phone:+16505550003",
        'phone:"+1 650-555-0003"',
        'phone:"(650) 555-0003"',
        "phone:5550003",
        "6505550003",
    ],
)
def test_phone_matches_digits_e164_or_national(cache: Store, query: str) -> None:
    assert find(cache, query) == ids(3)


def test_opted_out_follows_the_texting_phone(cache: Store) -> None:
    cache.set_phone_opt_out("+16505550002", True, now=NOW)
    assert find(cache, "opted_out:true") == ids(2)
    assert "lead_2" not in find(cache, "opted_out:false")
    cache.set_phone_opt_out("+16505550002", False, now=NOW)
    assert find(cache, "opted_out:true") == set()


def test_drafts_and_scheduled(cache: Store) -> None:
    cache.save_draft("lead_5", "let me check")
    cache.schedule(
        lead_id="lead_6",
        contact_id="cont_6",
        text="Reminder",
        remote_phone="+16505550006",
        local_phone="+14155550100",
        date_scheduled=NOW + DAYS,
        now=NOW,
    )
    assert find(cache, "has:draft") == ids(5)
    assert find(cache, "has:scheduled") == ids(6)
    cache.save_draft("lead_5", "")
    assert find(cache, "has:draft") == set()


@pytest.mark.parametrize(
    ("query", "column", "expected"),
    [
        ("direction:outgoing", 1, "direction: inside sms(...)"),
        ("status:error", 1, "status: inside sms(...)"),
        ("colour:red", 1, "a known field"),
        ("sms(colour:red)", 5, "a message field"),
        ("sms(status:delivered)", 12, "one of draft, error, inbox, outbox, scheduled, sent"),
        ("created:tomorrowish", 9, "a date"),
        ("failed_sms > many", 14, "a number"),
        ("opted_out:maybe", 11, "one of"),
        ("has:cats", 5, "one of"),
        ("sms(sms(status:error))", 5, "a message condition"),
    ],
)
def test_meaning_errors_name_the_position(cache: Store, query: str, column: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        cache.lead_page(query=query, now=NOW)
    assert err.value.position == column - 1
    assert str(err.value).startswith(f"at column {column}: expected ")
    assert expected in err.value.expected


@pytest.mark.parametrize("common_hits", [1, 10_000])
def test_free_text_answers_the_same_whichever_plan_it_picks(
    cache: Store, monkeypatch: pytest.MonkeyPatch, common_hits: int
) -> None:
    import sms_tui.store.search_sql as search_sql

    monkeypatch.setattr(search_sql, "COMMON_HITS", common_hits)
    assert find(cache, "hi") == ids(5)
    assert find(cache, "try OR ping") == ids(1, 4)
    assert find(cache, "name:smith OR pong") == ids(1, 4)


def test_a_prefix_term_is_probed_by_its_whole_word_first_and_counts_the_same(cache: Store) -> None:
    # "hi" is a whole word in two messages and the prefix of none other; "t" starts try, there,
    # the, ... : the probe (which picks the plan) must count what the prefix matches, up to cap.
    assert cache._probe("messages_fts", '"hi"*', 1) == 1  # capped: the whole word already has 2
    assert cache._probe("messages_fts", '"hi"*', 10) == 2
    prefix = '"th"*'  # no message has the word "th": the prefix itself is counted
    every = cache._one("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", (prefix,))
    assert every == 3  # there, the, this
    assert cache._probe("messages_fts", prefix, 100) == every

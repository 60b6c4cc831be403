"""A very common word (`the`) is searched by walking the list and testing each lead's messages
(`fts_ascii` on ASCII text, FTS5 for any other): the first page then costs what a page costs,
not what the word's hits cost, and it lists exactly what FTS5 alone would."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sms_tui.store.search_sql as search_sql
from sms_tui.store import Store
from sms_tui.store.fts_ascii import fts_ascii, pattern_of
from tests.store.conftest import NOW, make_lead, sms

TEXTS = {
    1: "The pricing sheet is attached",
    2: "THÉ ticket: see you",  # FTS5 folds É (remove_diacritics): a match for `the`, not ASCII
    3: "they’re here",  # a curly quote: not ASCII, `they` starts with `the`
    4: "nothing\x00 the end",  # a NUL: LIKE would stop at it, FTS5 does not
    5: "other things",  # no word starts with `the`
    6: "bathe 🛁 then",  # an emoji, and `then`
    7: "th e",
    8: "the",
    9: "bathe now",  # ASCII, `the` inside a word: no match
    10: "ok.THEN",  # ASCII, a word starting with `the` after a full stop
    11: "the shipment",  # `hi` inside a word (the prefilter must not let it through as a match)
}


@pytest.fixture
def mixed(store: Store) -> Store:
    store.upsert_leads(make_lead(n) for n in TEXTS)
    store.apply_remote_messages(
        [sms(f"m{n}", n, text=text, at=NOW - timedelta(hours=n)) for n, text in TEXTS.items()]
        + [sms(f"old{n}", n, text="an old hello", at=NOW - timedelta(days=3)) for n in TEXTS]
    )
    return store


def _page(store: Store, query: str) -> list[str]:
    return [r.lead_id for r in store.lead_page(query=query, now=NOW, limit=100).rows]


@pytest.mark.parametrize(
    "query",
    ["the", '"the"', "THE", "you", "hello", '"see you"', "tick", "the -end", "sms(the)", "hi", "ok then"],
)
def test_a_very_common_word_lists_what_fts5_alone_lists(
    mixed: Store, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    expected = _page(mixed, query)  # the plans that read the hit set (few hits here)
    monkeypatch.setattr(search_sql, "COMMON_HITS", 1)
    monkeypatch.setattr(search_sql, "VERY_COMMON_HITS", 2)
    assert _page(mixed, query) == expected
    assert mixed.count_leads(query, now=NOW, cap=1000) == len(expected)


def test_the_walk_finds_what_only_fts5_can_judge(mixed: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_sql, "COMMON_HITS", 1)
    monkeypatch.setattr(search_sql, "VERY_COMMON_HITS", 2)
    assert _page(mixed, "the") == [
        "lead_1",
        "lead_2",
        "lead_3",
        "lead_4",
        "lead_6",
        "lead_8",
        "lead_10",
        "lead_11",
    ]
    assert _page(mixed, "hi") == []


_ALPHABET = st.sampled_from(list("thE ab-'.,\n0") + ["é", "’", "\x00", "🛁"])


@settings(max_examples=300, deadline=None)
@given(text=st.text(_ALPHABET, max_size=20), word=st.text(st.sampled_from(list("thEab0 -")), max_size=5))
def test_fts_ascii_agrees_with_fts5_on_every_text_it_judges(text: str, word: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO f (rowid, text) VALUES (1, ?)", (text,))
    for quoted in (False, True):
        pattern = pattern_of(word, prefix=not quoted)
        if pattern is None:
            continue
        phrase = '"' + word.replace('"', '""') + '"' + ("" if quoted else "*")
        fts5 = conn.execute("SELECT count(*) FROM f WHERE f MATCH ?", (phrase,)).fetchone()[0]
        judged = fts_ascii(text, pattern)
        assert judged is None if not text.isascii() else judged == fts5, (text, phrase)


def _vm_steps(path: Path, messages: int, monkeypatch: pytest.MonkeyPatch) -> int:
    store = Store.open(path)
    try:
        store.upsert_leads(make_lead(n) for n in range(1, 21))
        store.apply_remote_messages(
            sms(f"m{i}", 1 + i % 20, text=f"the note {i}", at=NOW - timedelta(minutes=i))
            for i in range(messages)
        )
        monkeypatch.setattr(search_sql, "COMMON_HITS", 100)
        monkeypatch.setattr(search_sql, "VERY_COMMON_HITS", 200)
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        store._conn.set_progress_handler(count, 100)
        rows = store.lead_page(query="the", now=NOW, limit=5).rows
        assert len(rows) == 5
        return steps[0]
    finally:
        store.close()


def test_a_very_common_words_first_page_costs_the_same_for_ten_times_the_hits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    few = _vm_steps(tmp_path / "few.db", 400, monkeypatch)
    many = _vm_steps(tmp_path / "many.db", 4000, monkeypatch)
    assert many < few * 1.5  # reading the hit set first: about ten times as many steps


@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(st.text(_ALPHABET, max_size=12), min_size=1, max_size=12),
    word=st.sampled_from(["t", "th", "the", "a", "e", "b0", '"the"', "th e"]),
)
def test_the_walk_lists_what_the_hit_set_lists_for_any_texts(texts: list[str], word: str) -> None:
    store = Store.open(":memory:")
    try:
        store.upsert_leads(make_lead(n) for n in range(len(texts)))
        store.apply_remote_messages(
            sms(f"m{n}", n, text=text, at=NOW - timedelta(minutes=n)) for n, text in enumerate(texts)
        )
        expected = _page(store, word)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(search_sql, "COMMON_HITS", 0)
            patch.setattr(search_sql, "VERY_COMMON_HITS", 1)
            assert _page(store, word) == expected
    finally:
        store.close()


def test_a_prefix_far_more_common_than_its_word_is_judged_by_a_sample_not_by_the_prefix(
    store: Store,
) -> None:
    # "th" is no message's word, but starts a word in every message (the, this, they, ...):
    # FTS5 would merge every such word's hits just to count them (`t*`: ~350 ms at 100k leads).
    # A sample of the messages says "far more than cap" instead; the rows stay what FTS5 lists.
    words = ["the", "this", "they", "then", "there", "thanks"]
    store.upsert_leads(make_lead(n) for n in range(60))
    store.apply_remote_messages(
        [sms(f"m{n}", n, text=f"{words[n % 6]} ok", at=NOW - timedelta(minutes=n)) for n in range(60)]
    )
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    try:
        assert store._probe("messages_fts", '"th"*', 20) == 20
    finally:
        store._conn.set_trace_callback(None)
    matched = [s for s in statements if "MATCH" in s]
    assert matched and all("'\"th\"*'" not in s for s in matched)  # only the whole word was asked
    assert store._probe("messages_fts", '"tha"*', 20) == 10  # 10 of 60: counted exactly, as before
    assert _page(store, "th") == [make_lead(n).id for n in range(60)]

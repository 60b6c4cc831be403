"""The search language's parser: the tree it builds and the errors a rep sees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sms_tui.core.query import (
    MATCH_ALL,
    And,
    Field,
    Not,
    Or,
    QuerySyntaxError,
    Sms,
    Text,
    parse,
    tokenize,
    walk,
)


def f(name: str, op: str, value: str, pos: int, vpos: int, quoted: bool = False) -> Field:
    return Field(name, op, value, quoted, pos, vpos)  # type: ignore[arg-type]


def test_seed_queries_parse_to_the_expected_tree() -> None:
    assert parse("failed_sms > 1") == f("failed_sms", ">", "1", 0, 13)
    assert parse("has:error_sms_messages") == f("has", ":", "error_sms_messages", 0, 4)
    assert parse("latest_sms_status:error") == f("latest_sms_status", ":", "error", 0, 18)
    assert parse("sms(created:today direction:outgoing status:error)") == Sms(
        And(
            (
                f("created", ":", "today", 4, 12),
                f("direction", ":", "outgoing", 18, 28),
                f("status", ":", "error", 37, 44),
            )
        ),
        0,
    )


@pytest.mark.parametrize("op", [":", ">", ">=", "<", "<=", "="])
def test_every_comparison_operator(op: str) -> None:
    assert parse(f"sms_messages{op}3") == f("sms_messages", op, "3", 0, 12 + len(op))
    assert parse(f"sms_messages {op} 3") == f("sms_messages", op, "3", 0, 14 + len(op))


def test_implicit_and_binds_tighter_than_or() -> None:
    assert parse("a b OR c") == Or((And((Text("a", False, 0), Text("b", False, 2))), Text("c", False, 7)))
    assert parse("a AND b") == And((Text("a", False, 0), Text("b", False, 6)))


def test_not_minus_and_parentheses() -> None:
    assert parse("-is:done") == Not(f("is", ":", "done", 1, 4), 0)
    assert parse("NOT (a OR b)") == Not(Or((Text("a", False, 5), Text("b", False, 10))), 0)
    assert parse("x -(a b)") == And(
        (Text("x", False, 0), Not(And((Text("a", False, 4), Text("b", False, 6))), 2))
    )


def test_words_with_inner_dashes_dots_and_lowercase_keywords_are_text() -> None:
    assert parse("e-mail") == Text("e-mail", False, 0)
    assert parse("created:2026-01-01..2026-01-31") == f("created", ":", "2026-01-01..2026-01-31", 0, 8)
    assert parse("or not and") == And((Text("or", False, 0), Text("not", False, 3), Text("and", False, 7)))
    assert parse("a - b") == And((Text("a", False, 0), Text("-", False, 2), Text("b", False, 4)))


def test_quoted_strings_are_phrases_and_values() -> None:
    assert parse('"follow up"') == Text("follow up", True, 0)
    assert parse('name:"Ann Lee"') == f("name", ":", "Ann Lee", 0, 5, quoted=True)
    assert parse('created >= "2026-01-01"') == f("created", ">=", "2026-01-01", 0, 11, quoted=True)
    assert parse(r'"say \"hi\""') == Text('say "hi"', True, 0)
    assert parse('"OR"') == Text("OR", True, 0)  # a quoted keyword is just text


def test_field_names_are_case_insensitive_values_kept() -> None:
    assert parse("Has:Draft") == f("has", ":", "Draft", 0, 4)


def test_empty_query_matches_all() -> None:
    assert parse("") == MATCH_ALL
    assert parse("   ") == MATCH_ALL
    assert parse("sms()") == Sms(None, 0)


@pytest.mark.parametrize(
    ("query", "column", "expected"),
    [
        ("sms(created:today direction:outgoing", 37, "')'"),
        ("(a OR b", 8, "')'"),
        ("failed_sms >", 13, "a value after 'failed_sms>'"),
        ("failed_sms > )", 14, "a value after 'failed_sms>'"),
        ("a OR", 5, "a search term"),
        ("a)", 2, "the end of the query"),
        ("()", 2, "a search term"),
        ("-(", 3, "a search term"),
        ('"open', 6, "a closing '\"'"),
        (": x", 1, "a field name before ':'"),
        ("NOT", 4, "a search term"),
    ],
)
def test_syntax_errors_name_the_column_and_what_was_expected(query: str, column: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        parse(query)
    assert err.value.position == column - 1
    assert err.value.expected == expected
    assert str(err.value).startswith(f"at column {column}: expected {expected}")


def test_the_issue_example_reads_as_written() -> None:
    with pytest.raises(QuerySyntaxError, match=r"^at column 14: expected '\)'"):
        parse("sms(status:er")


def test_walk_visits_every_node() -> None:
    tree = parse("a (b OR -sms(status:error))")
    kinds = [type(n).__name__ for n in walk(tree)]
    assert kinds == ["And", "Text", "Or", "Text", "Not", "Sms", "Field"]


def test_tokens_carry_positions() -> None:
    assert [(t.kind, t.text, t.position) for t in tokenize('x>=1 "a b"')] == [
        ("word", "x", 0),
        ("op", ">=", 1),
        ("word", "1", 3),
        ("string", "a b", 5),
        ("eof", "", 10),
    ]


@given(st.text(alphabet='ab :()"-<>=OR NT\\', max_size=30))
def test_any_input_parses_or_raises_a_positioned_error(query: str) -> None:
    try:
        parse(query)
    except QuerySyntaxError as err:
        assert 0 <= err.position <= len(query)
        assert str(err).startswith(f"at column {err.position + 1}: expected ")

"""The search language at its edges: negation placement, escapes, keywords used as field names,
and the exact error a rep reads (column, what was expected, what was found)."""

from __future__ import annotations

import pytest

from sms_tui.core.query import And, Field, Not, Or, QuerySyntaxError, Sms, Text, Token, parse, tokenize


def test_negated_term_inside_parentheses() -> None:
    assert parse("(-a)") == Not(Text("a", position=2), 1)
    assert parse("(-a b)") == And((Not(Text("a", position=2), 1), Text("b", position=4)))


def test_a_dash_inside_or_at_the_end_of_a_word_is_part_of_it() -> None:
    assert parse("e-mail") == Text("e-mail")
    assert parse("x-") == Text("x-")
    assert parse("a -") == And((Text("a"), Text("-", position=2)))
    assert parse("a -x") == And((Text("a"), Not(Text("x", position=3), 2)))
    assert parse("(a)-x") == And((Text("a", position=1), Text("-x", position=3)))


def test_a_lone_dash_before_a_space_is_a_word() -> None:
    assert tokenize("- x") == [
        Token("word", "-", 0),
        Token("word", "x", 2),
        Token("eof", "", 3),
    ]


def test_tokens_carry_their_text() -> None:
    assert tokenize("(-a)") == [
        Token("(", "(", 0),
        Token("-", "-", 1),
        Token("word", "a", 2),
        Token(")", ")", 3),
        Token("eof", "", 4),
    ]


def test_keywords_followed_by_an_operator_are_field_names() -> None:
    assert parse("OR:x") == Field("or", ":", "x", False, 0, 3)
    assert parse("a AND:b") == And((Text("a"), Field("and", ":", "b", False, 2, 6)))
    assert parse("NOT:x") == Field("not", ":", "x", False, 0, 4)


def test_or_binds_looser_than_the_implicit_and() -> None:
    assert parse("a b OR c") == Or((And((Text("a"), Text("b", position=2))), Text("c", position=7)))


def test_escapes_inside_a_string() -> None:
    assert parse(r'"say \"hi\""') == Text('say "hi"', quoted=True)
    assert parse(r'"a\\b"') == Text("a\\b", quoted=True)
    assert parse('"x" y') == And((Text("x", quoted=True), Text("y", position=4)))


def test_sms_with_empty_parentheses_means_any_message() -> None:
    assert parse("sms()") == Sms(None, 0)
    assert parse("a sms(x)") == And((Text("a"), Sms(Text("x", position=6), 2)))


ERRORS = [
    (
        '"abc',
        4,
        "a closing '\"'",
        "at column 5: expected a closing '\"' (the quote opened at column 1 is not closed)",
    ),
    (
        'x "abc',
        6,
        "a closing '\"'",
        "at column 7: expected a closing '\"' (the quote opened at column 3 is not closed)",
    ),
    (
        "a )",
        2,
        "the end of the query",
        "at column 3: expected the end of the query (found ')' without a matching '(')",
    ),
    ("()", 1, "a search term", "at column 2: expected a search term (the parentheses are empty)"),
    ("(a", 2, "')'", "at column 3: expected ')' (found the end of the query)"),
    ("sms(a b", 7, "')'", "at column 8: expected ')' (found the end of the query)"),
    (":x", 0, "a field name before ':'", "at column 1: expected a field name before ':'"),
    ("a (>= 3)", 3, "a field name before '>='", "at column 4: expected a field name before '>='"),
    ("NOT", 3, "a search term", "at column 4: expected a search term (found the end of the query)"),
    ("a OR )", 5, "a search term", "at column 6: expected a search term (found ')')"),
    ("x:", 2, "a value after 'x:'", "at column 3: expected a value after 'x:' (found the end of the query)"),
    ("x:(", 2, "a value after 'x:'", "at column 3: expected a value after 'x:' (found '(')"),
    ("x>=)", 3, "a value after 'x>='", "at column 4: expected a value after 'x>=' (found ')')"),
]


@pytest.mark.parametrize(("query", "position", "expected", "message"), ERRORS)
def test_errors_name_the_column_and_what_was_expected(
    query: str, position: int, expected: str, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    error = caught.value
    assert (error.position, error.expected, str(error), error.message) == (
        position,
        expected,
        message,
        message,
    )


def test_letters_are_never_operators_or_parentheses() -> None:
    assert parse("Xavier") == Text("Xavier")


def test_a_backslash_at_the_end_of_a_string() -> None:
    with pytest.raises(QuerySyntaxError, match="is not closed"):
        parse('"\\"')  # the backslash escapes the closing quote
    with pytest.raises(QuerySyntaxError, match="is not closed"):
        parse('"ab\\')  # nothing left to escape


def test_a_word_right_after_a_string() -> None:
    assert parse('"a"b') == And((Text("a", quoted=True), Text("b", position=3)))

"""`sms-tui segments`: the human summary, the --json batch mode, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sms_tui.cli import main


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["segments", *args], input=stdin)


def test_summary_of_a_gsm_message():
    result = run("Hi Ana, call me at 3pm {ok}")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Encoding:    GSM-7"
    assert lines[1] == "Segments:    1 (160 septets per segment)"
    assert lines[2] == "Units:       29 used, 131 left in segment 1"
    assert lines[3] == "Characters:  27/1000 (Close limit)"
    assert "Forcing" not in result.stdout


def test_summary_names_what_forces_ucs2_and_offers_the_cheaper_rewrite():
    text = "Hi Ana \u2014 it\u2019s Bob. " * 5
    result = run(text)
    assert result.exit_code == 0
    out = result.stdout
    assert "Encoding:    UCS-2" in out
    assert "Segments:    2 (67 UTF-16 units per segment, concatenated)" in out
    assert "U+2014 EM DASH at 7, 26, 45, 64, 83" in out
    assert "U+2019 RIGHT SINGLE QUOTATION MARK at 11, 30, 49, 68, 87" in out
    assert "GSM-safe version (GSM-7) saves 1 segment (2 -> 1):" in out
    assert "  " + "Hi Ana - it's Bob. " * 5 in out


def test_summary_says_when_no_rewrite_helps():
    result = run("Congrats 🎉")
    assert "U+1F389 PARTY POPPER at 9" in result.stdout
    assert "No lookalike rewrite helps: it stays UCS-2, 1 segment." in result.stdout


def test_summary_warns_over_the_close_limit():
    result = run("a" * 1001)
    assert "Characters:  1001/1000 (Close limit) - 1 over, Close will refuse it" in result.stdout


def test_dash_reads_the_text_from_stdin():
    result = run("-", stdin="line one\nline two\n")
    assert result.exit_code == 0
    assert "Units:       18 used" in result.stdout


def test_json_batch():
    texts = ["hello", "", "a" * 161, "😀" * 36, "It\u2019s"]
    result = run("--json", stdin=json.dumps(texts))
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(r["encoding"], r["segments"]) for r in rows] == [
        ("GSM-7", 1),
        ("GSM-7", 1),
        ("GSM-7", 2),
        ("UCS-2", 2),
        ("UCS-2", 1),
    ]
    assert rows[2]["units"] == 161 and rows[2]["units_per_segment"] == 153 and rows[2]["units_left"] == 145
    assert rows[3]["chars"] == 72
    assert rows[3]["parts"] == ["😀" * 33, "😀" * 3]
    assert rows[4]["ucs2_chars"] == [
        {"index": 2, "char": "\u2019", "codepoint": "U+2019", "name": "RIGHT SINGLE QUOTATION MARK"}
    ]
    assert rows[4]["gsm_safe"] == {"text": "It's", "encoding": "GSM-7", "segments": 1, "saved": 0}
    assert rows[0]["gsm_safe"] is None and rows[0]["ucs2_chars"] == []


def test_json_of_an_empty_array_is_an_empty_array():
    result = run("--json", stdin="[]")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("not json", "stdin is not valid JSON"),
        ("", "stdin is not valid JSON"),
        ('{"text": "hi"}', "expected a JSON array of strings on stdin, got a JSON object"),
        ('"hi"', "got a JSON string"),
        ('["ok", 3]', "item 1 of the array is not a string: 3"),
        ('["ok", null]', "item 1 of the array is not a string: null"),
    ],
)
def test_bad_json_input_is_a_clear_error_with_exit_code_2(stdin, message):
    result = run("--json", stdin=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_no_text_and_no_json_is_a_usage_error():
    result = run()
    assert result.exit_code == 2
    assert "missing TEXT" in result.stderr


def test_text_and_json_together_is_a_usage_error():
    result = run("hi", "--json", stdin="[]")
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_the_command_stays_import_light():
    code = (
        "import sys, sms_tui.commands.segments; "
        "print(sorted(m for m in ('textual', 'httpx', 'starlette', 'sqlite_utils') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_installed_command_runs_end_to_end():
    out = subprocess.run(
        [sys.executable, "-m", "sms_tui", "segments", "--json"],
        input='["a{b}"]',
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)[0]["units"] == 6  # a{b}: each brace is an escape pair


def test_a_rewrite_that_costs_more_is_not_offered():
    result = run("\u2026" * 70)
    assert "No lookalike rewrite helps: it stays UCS-2, 1 segment." in result.stdout
    rows = json.loads(run("--json", stdin=json.dumps(["\u2026" * 70])).stdout)
    assert rows[0]["gsm_safe"] is None


def _installed(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    """The real command (real stdin bytes, the interpreter's own argv decoding)."""
    return subprocess.run(
        [sys.executable, "-m", "sms_tui", "segments", *args], input=stdin, capture_output=True
    )


@pytest.mark.parametrize(
    ("args", "stdin", "byte"),
    [(("--json",), b'["a\xff"]', 3), (("-",), b"caf\xc3\xa9 \xe2\x80", 6)],
)
def test_invalid_utf8_on_stdin_is_refused_with_the_byte_offset(args, stdin, byte):
    out = _installed(*args, stdin=stdin)
    assert out.returncode == 2
    assert out.stdout == b""
    assert f"stdin is not valid UTF-8 at byte {byte}".encode() in out.stderr


def test_invalid_utf8_on_stdin_is_refused_in_process_too():
    result = CliRunner().invoke(main, ["segments", "--json"], input=b'["ok", "\xc3("]')
    assert result.exit_code == 2
    assert "stdin is not valid UTF-8 at byte 8" in result.stderr
    assert result.stdout == ""


def test_valid_utf8_on_stdin_is_read_as_characters():
    out = _installed("--json", stdin='["café 😀"]'.encode())
    assert out.returncode == 0
    assert [c["char"] for c in json.loads(out.stdout)[0]["ucs2_chars"]] == ["😀"]  # é is GSM-7


def test_a_lone_surrogate_argument_is_refused():
    result = run("a\ud800b")
    assert result.exit_code == 2
    assert "the text contains a lone surrogate (U+D800) at index 1: not a character" in result.stderr
    assert result.stdout == ""


def test_an_argument_that_is_not_utf8_is_refused_end_to_end():
    # The interpreter hands undecodable argv bytes over as lone surrogates (surrogateescape).
    out = subprocess.run(
        [sys.executable, "-m", "sms_tui", "segments", b"ab\xff".decode("utf-8", "surrogateescape")],
        capture_output=True,
    )
    assert out.returncode == 2
    assert b"lone surrogate (U+DCFF) at index 2: not a character" in out.stderr


def test_a_lone_surrogate_escape_in_the_json_batch_is_refused():
    result = run("--json", stdin='["fine", "x\\udc00"]')
    assert result.exit_code == 2
    assert (
        "item 1 of the array contains a lone surrogate (U+DC00) at index 1: not a character" in result.stderr
    )
    # a proper pair is one character, not an error
    ok = run("--json", stdin='["\\ud83d\\ude00"]')
    assert ok.exit_code == 0
    assert [c["char"] for c in json.loads(ok.stdout)[0]["ucs2_chars"]] == ["😀"]

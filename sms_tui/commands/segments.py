"""`sms-tui segments`: what a message will cost, for a rep at a shell or a script estimating a campaign.

Import-light on purpose (click, json and the pure core only): it must start fast and never
load Textual or the HTTP stack.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from sms_tui.core.segments import CLOSE_MAX_CHARS, ForcingChar, Rewrite, SegmentInfo, analyze, gsm_safe

_JSON_TYPES = {
    dict: "object",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}
_MAX_POSITIONS = 8  # per character in the human summary; --json lists them all


@click.command()
@click.argument("text", required=False)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Read a JSON array of strings on stdin; print a JSON array of results.",
)
def segments(text: str | None, as_json: bool) -> None:
    """Show how TEXT is encoded and how many SMS segments it costs.

    Pass TEXT as one argument (quote it), or "-" to read it from stdin. With --json, read a
    JSON array of strings on stdin and print one result object per string.
    """
    if as_json:
        if text is not None:
            raise click.UsageError("give either TEXT or --json (which reads stdin), not both")
        click.echo(json.dumps([_as_dict(t) for t in _read_json_texts()], indent=2))
        return
    if text is None:
        raise click.UsageError('missing TEXT (or "-" to read it from stdin, or --json for a batch)')
    if text == "-":
        text = _read_stdin().replace("\r\n", "\n").replace("\r", "\n")  # as text-mode stdin did
    _check_characters(text, "the text")
    click.echo(summary(text))


def _fail(message: str) -> NoReturn:
    """Bad input: a clear line on stderr and exit code 2, like click's own usage errors."""
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(2)


def _read_stdin() -> str:
    """stdin as strict UTF-8.

    Text-mode stdin decodes with surrogateescape under a C/POSIX locale, so an invalid byte would
    become a lone surrogate ("\\udcff") and be counted as a character; read the bytes and refuse.
    """
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream (an embedding program's StringIO): already characters
        text: str = sys.stdin.read()
        _check_characters(text, "stdin")
        return text
    raw: bytes = buffer.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"stdin is not valid UTF-8 at byte {exc.start}")


def _check_characters(text: str, where: str) -> None:
    """Refuse lone surrogates (from undecodable argv bytes or a JSON \\udXXX escape): not characters."""
    for index, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            _fail(f"{where} contains a lone surrogate (U+{ord(char):04X}) at index {index}: not a character")


def _read_json_texts() -> list[str]:
    raw = _read_stdin()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        _fail(f"stdin is not valid JSON ({exc}); expected an array of strings")
    if not isinstance(data, list):
        _fail(f"expected a JSON array of strings on stdin, got a JSON {_JSON_TYPES.get(type(data), 'value')}")
    for i, item in enumerate(data):
        if not isinstance(item, str):
            _fail(f"item {i} of the array is not a string: {json.dumps(item)[:60]}")
        _check_characters(item, f"item {i} of the array")
    return data


def _as_dict(text: str) -> dict[str, Any]:
    info = analyze(text)
    rewrite = gsm_safe(text)
    return {
        "encoding": info.encoding,
        "segments": info.segments,
        "units": info.units,
        "units_per_segment": info.units_per_segment,
        "units_left": info.units_left,
        "chars": info.chars,
        "chars_left": info.chars_left,
        "over_limit": info.over_limit,
        "ucs2_chars": [
            {"index": f.index, "char": f.char, "codepoint": f.codepoint, "name": f.name}
            for f in info.ucs2_chars
        ],
        "parts": list(info.parts),
        "gsm_safe": (
            {
                "text": rewrite.text,
                "encoding": rewrite.encoding,
                "segments": rewrite.segments_after,
                "saved": rewrite.saved,
            }
            if _worth_offering(info, rewrite)
            else None
        ),
    }


def summary(text: str) -> str:
    """The human summary: cost first, then what forces UCS-2, then the cheaper rewrite if any."""
    info = analyze(text)
    unit = "septets" if info.encoding == "GSM-7" else "UTF-16 units"
    plural = "" if info.segments == 1 else "s"
    lines = [
        f"Encoding:    {info.encoding}",
        f"Segments:    {info.segments} ({info.units_per_segment} {unit} per segment{_concat_note(info)})",
        f"Units:       {info.units} used, {info.units_left} left in segment {info.segments}",
        f"Characters:  {info.chars}/{CLOSE_MAX_CHARS} (Close limit)"
        + (f" - {-info.chars_left} over, Close will refuse it" if info.over_limit else ""),
    ]
    if info.ucs2_chars:
        lines.append("Forcing UCS-2 (0-based index):")
        lines.extend(_forcing_lines(info.ucs2_chars))
        rewrite = gsm_safe(text)
        if _worth_offering(info, rewrite):
            if rewrite.saved > 0:
                saved = "segment" if rewrite.saved == 1 else "segments"
                gain = (
                    f"saves {rewrite.saved} {saved} ({rewrite.segments_before} -> {rewrite.segments_after})"
                )
            else:
                gain = f"still {rewrite.segments_after} segment{plural}, with room for more"
            lines.append(f"GSM-safe version ({rewrite.encoding}) {gain}:")
            lines.append(f"  {rewrite.text}")
        else:
            lines.append(
                f"No lookalike rewrite helps: it stays {info.encoding}, {info.segments} segment{plural}."
            )
    return "\n".join(lines)


def _worth_offering(info: SegmentInfo, rewrite: Rewrite) -> bool:
    """Offer the rewrite when it saves a segment, or gets back to GSM-7 at no cost."""
    if not rewrite.changed or rewrite.saved < 0:
        return False
    return rewrite.saved > 0 or (rewrite.encoding == "GSM-7" and info.encoding == "UCS-2")


def _concat_note(info: SegmentInfo) -> str:
    return ", concatenated" if info.segments > 1 else ""


def _forcing_lines(chars: tuple[ForcingChar, ...]) -> list[str]:
    """One line per distinct character, with its positions (a long list is cut short)."""
    by_char: dict[str, list[ForcingChar]] = {}
    for forcing in chars:
        by_char.setdefault(forcing.char, []).append(forcing)
    lines = []
    for char, found in by_char.items():
        shown = char if char.isprintable() and char != " " else " "
        positions = ", ".join(str(f.index) for f in found[:_MAX_POSITIONS])
        if len(found) > _MAX_POSITIONS:
            positions += f", ... ({len(found)} times)"
        name = found[0].name or "unnamed"
        lines.append(f"  {shown}  {found[0].codepoint} {name} at {positions}")
    return lines

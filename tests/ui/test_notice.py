"""Notice from afar: the unread count in the terminal's title and a desktop notification per reply,
checked on the bytes the app writes to its terminal (the driver's `write`, captured)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot

from sms_tui.core.safe_text import safe
from sms_tui.ui.notice import (
    BEL,
    MAX_BODY,
    POP_TITLE,
    PUSH_TITLE,
    TerminalNotices,
    inert,
    notice_kind,
    notification,
)
from tests.ui.harness import Live, inbox, live_app, seeded_app, settle, until
from tests.ui.hostile import CORPUS

OSC = re.compile(r"\x1b\](\d+);(.*?)(?:\x07|\x1b\\)", re.S)


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    out: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: out.append(data))
    return out


def _bare(out: str) -> str:
    """`out` without its OSC sequences (titles, Textual's pointer shape): what is left can only
    ring if it holds a bare BEL."""
    return OSC.sub("", out)


def _oscs(written: list[str], code: str) -> list[str]:
    return [body for c, body in OSC.findall("".join(written)) if c == code]


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"TERM_PROGRAM": "iTerm.app", "TERM": "xterm-256color"}, "osc9"),
        ({"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}, "osc777"),
        ({"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, "osc777"),
        ({"TERM": "foot"}, "osc777"),
        ({"TERM": "rxvt-unicode-256color"}, "osc777"),
        ({"TERM": "xterm-kitty"}, "osc9"),
        ({"TERM": "xterm-256color"}, "bell"),
        ({"TERM_PROGRAM": "Apple_Terminal", "TERM": "xterm-256color"}, "bell"),
        ({"TERM_PROGRAM": "tmux", "TERM": "tmux-256color"}, "bell"),  # OSC would not pass tmux
        ({"TERM_PROGRAM": "iTerm.app", "TERM": "screen-256color", "TMUX": "/tmp/t,1,0"}, "bell"),
        ({}, "bell"),
    ],
)
def test_the_terminal_decides_the_sequence(env: dict[str, str], kind: str) -> None:
    assert notice_kind(env) == kind


@pytest.mark.parametrize("text", CORPUS)
def test_nothing_from_the_data_escapes_the_osc(text: str) -> None:
    for kind in ("osc777", "osc9"):
        seq = notification(kind, safe(f"Reply from {text}"), safe(text))
        inner = seq[2:-1]
        assert seq.startswith("\x1b]") and seq.endswith(BEL)
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in inner), repr(seq)
        if kind == "osc777":
            fields = inner.split(";", 3)  # 777;notify;title;body: the title adds no field
            assert fields[:2] == ["777", "notify"] and fields[3] == inert(safe(text), MAX_BODY), seq


async def test_title_shows_the_unread_count_and_is_given_back(tmp_path: Path, written: list[str]) -> None:
    app = seeded_app(tmp_path)
    app.notices.env = {"TERM": "xterm-256color"}
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: bool(_oscs(written, "2")))
        await settle(pilot)
        assert inbox(app).status.unread == 2
        assert _oscs(written, "2") == ["(2) sms-tui"]
        assert "".join(written).index(PUSH_TITLE) < "".join(written).index("\x1b]2;")
        await pilot.press("m")  # mark the current lead read: one fewer waiting
        await until(pilot, lambda: _oscs(written, "2")[-1] != "(2) sms-tui")
        assert _oscs(written, "2")[-1] == "(1) sms-tui"
        written.clear()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert POP_TITLE in "".join(written)


def test_the_title_is_written_only_when_it_changes() -> None:
    out: list[str] = []
    notices = TerminalNotices(out.append, {}, "sms-tui")
    notices.unread(3)
    notices.unread(3)
    notices.unread(0)
    assert out == [PUSH_TITLE, "\x1b]2;(3) sms-tui\x07", "\x1b]2;sms-tui\x07"]


async def _reply_flow(live: Live, pilot: Pilot[None], written: list[str], text: str) -> tuple[str, str]:
    await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
    await settle(pilot)
    screen = inbox(live.app)
    rows = [r for _, r in screen.leads.loaded_rows()]
    other = next(r for r in rows if r.phone and r.phone.startswith("+1") and not r.opted_out)
    us = next(n.number for n in live.store.our_numbers() if n.country == "US")
    written.clear()
    await live.inbound(other.phone or "", us, text)
    live.app.sync.poll()
    await settle(pilot)
    await until(pilot, lambda: bool(live.notifications()))
    return "".join(written), other.display_name


async def test_first_sync_backlog_raises_no_notification(tmp_path: Path, written: list[str]) -> None:
    live = await live_app(tmp_path)
    live.app.notices.env = {"TERM_PROGRAM": "WezTerm"}
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
        await settle(pilot)
        out = "".join(written)
        assert "\x1b]2;" in out  # the title was set…
        assert "\x1b]777;" not in out  # …but the history Close already had raises nothing
        assert BEL not in _bare(out)


async def test_a_reply_raises_an_osc777_notification_with_the_safe_name_and_text(
    tmp_path: Path, written: list[str]
) -> None:
    live = await live_app(tmp_path)
    live.app.notices.env = {"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}
    hostile = "Call me\x1b]0;pwned\x07 now;\x9b2J\x1b\\ ok"
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        out, name = await _reply_flow(live, pilot, written, hostile)
    notes = _oscs([out], "777")
    assert len(notes) == 1, repr(out)
    assert notes[0].startswith("notify;Reply from ")
    _, title, body = notes[0].split(";", 2)
    assert name.replace(";", ",") in title
    assert body.startswith("Call me␛]0,pwned␇ now") or body.startswith("Call me␛]0;pwned␇ now"), body
    assert "\x1b]0;" not in out and "\x9b" not in out  # the data opened no sequence of its own


async def test_a_reply_rings_the_bell_where_no_notification_is_understood(
    tmp_path: Path, written: list[str]
) -> None:
    live = await live_app(tmp_path)
    live.app.notices.env = {"TERM": "xterm-256color"}
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        out, _ = await _reply_flow(live, pilot, written, "yes please")
    assert "\x1b]777;" not in out and "\x1b]9;" not in out
    assert BEL in _bare(out)


async def test_a_reply_raises_osc9_in_iterm(tmp_path: Path, written: list[str]) -> None:
    live = await live_app(tmp_path)
    live.app.notices.env = {"TERM_PROGRAM": "iTerm.app"}
    async with live.app.run_test(size=(120, 36), message_hook=live.messages.append) as pilot:
        out, name = await _reply_flow(live, pilot, written, "yes please")
    assert _oscs([out], "9") == [f"Reply from {name}: yes please"]

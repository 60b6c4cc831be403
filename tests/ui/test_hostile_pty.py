"""The real `sms-tui` process in a pseudo-terminal, on a carrier whose every text field is hostile:
every byte it writes is read, and none of the corpus's escape sequences, controls or invisible
characters is among them. (The in-process test, `test_hostile_terminal.py`, walks more dialogs;
this one proves the same of the whole program as a terminal receives it.)
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from fcntl import ioctl
from pathlib import Path

import pytest

from sms_tui.carrier import FakeClock, RunningCarrier, create_app, start_background
from tests.ui.hostile import leaks, poison

KEY = "pty-hostile-key"
#: Textual's own non-CSI writes: the pointer shape (OSC 22, kitty protocol).
_TEXTUAL_OSC = re.compile(r"\x1b\]22;[a-z-]+\x07")
#: Ours (`ui/notice.py`): the window title "(N) sms-tui", exactly, and saving the old title first.
_OWN_TITLE = re.compile(r"\x1b\]2;(\(\d+\) )?sms-tui\x07|\x1b\[22;0t")
#: Textual clears the screen and leaves the alternate screen on its own; those may appear.
_TEXTUAL_CSI = ("\x1b[2J", "\x1b[3J", "\x1b[?1049l")


@pytest.fixture
def hostile_carrier() -> Iterator[RunningCarrier]:
    app = create_app(api_key=KEY, seed=7, clock=FakeClock(datetime.now(UTC)))
    poison(app.carrier)
    running = start_background(api_key=KEY, seed=7, app=app)
    yield running
    running.stop()


class Terminal:
    """A child process on a pty; everything it writes is kept in `output`."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 120, rows: int = 40) -> None:
        self.master, slave = pty.openpty()
        ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.raw = bytearray()

    @property
    def output(self) -> str:
        return self.raw.decode("utf-8", errors="surrogateescape")

    def read_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.raw.extend(chunk)

    def wait_for(self, text: str, seconds: float = 60) -> None:
        end = time.monotonic() + seconds
        while text not in self.output and time.monotonic() < end and self.proc.poll() is None:
            self.read_for(0.2)
        assert text in self.output, f"never saw {text!r}; exit={self.proc.poll()}"

    def send(self, keys: str, settle: float = 0.6) -> None:
        os.write(self.master, keys.encode())
        self.read_for(settle)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        os.close(self.master)


def test_the_real_program_writes_nothing_hostile_to_its_terminal(
    hostile_carrier: RunningCarrier, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "SMS_TUI_CONFIG": str(tmp_path / "none.toml"),
        "SMS_TUI_DATA_DIR": str(tmp_path / "data"),
        "SMS_TUI_BASE_URL": hostile_carrier.base_url,
        "SMS_TUI_API_KEY": KEY,  # in the environment, never on the command line
        "SMS_TUI_POLL_INTERVAL": "999",
    }
    term = Terminal([sys.executable, "-m", "sms_tui"], env)
    try:
        term.wait_for("unread")
        term.read_for(3)  # the first sync fills the list
        for keys in ("j", "j", "j", "j", "r", "\x14"):  # a few leads, reply, ctrl+t templates
            term.send(keys)
        for _ in range(6):
            term.send("\x1b[B", 0.3)  # down through the templates
        term.send("\r")  # insert one into the composer
        term.send("\x1b", 0.4)  # back to the list
        term.send("z")  # snooze dialog
        term.send("\x1b", 0.4)
        term.send("?")  # help
        term.send("\x1b", 0.4)
        before_quit = term.output
        term.send("\x11", 2)  # ctrl+q
    finally:
        term.close()
    assert "Traceback" not in term.output
    shown = _OWN_TITLE.sub("", _TEXTUAL_OSC.sub("", before_quit))
    for own in _TEXTUAL_CSI:
        shown = shown.replace(own, "")
    assert leaks(shown) == []
    assert "[bold red]Markup[/]" in shown, "the markup in a name was not shown as typed"

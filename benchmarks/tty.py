"""Run a whole program in a pseudo-terminal and time what shows on its screen.

`Term(argv, env, size)` starts the process with the environment `env` (all of it) on a pty of that
size (as a terminal would) and feeds its output to a terminal emulator (pyte); `wait(text)` reads
until `text` is on the emulated screen and returns when the bytes that put it there arrived;
`keys(s)` types. (Matching the raw stream
would not do: Textual rewrites only the cells of a line that changed.)
Times are wall clock from the moment the bytes were read: what the rep
sees, minus only the terminal emulator's own parsing and drawing (see `_pump`).
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

import pyte


class Term:
    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (120, 36)) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        # `env` is the program's whole environment (callers take os.environ minus what must not be
        # there, PYTHONDONTWRITEBYTECODE above all): laying it over os.environ brought the flag back
        full_env = {
            "TERM": "xterm-256color",
            "COLUMNS": str(size[0]),
            "LINES": str(size[1]),
            **env,
        }
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.fd = master
        self.screen = pyte.Screen(*size)
        self._stream = pyte.ByteStream(self.screen)

    def mark(self) -> None:
        """Forget what was shown: the next wait() looks only at output from now on."""
        while self._pump(0) is not None:
            pass

    def _pump(self, timeout: float) -> float | None:
        """Read what the program wrote (waiting up to `timeout` for the first byte) and feed it to
        the emulator; return when the last of it was read. Everything already written is read
        before any is parsed: the pty hands over at most 4095 bytes a read, and pyte takes ~6 ms
        to parse that much (a terminal, well under 1), so a frame of two reads would otherwise be
        timed with pyte's parse of its first half."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        chunks: list[bytes] = []
        try:
            while True:
                chunks.append(os.read(self.fd, 1 << 16))
                if len(chunks) >= 256 or not select.select([self.fd], [], [], 0)[0]:
                    break
        except OSError:
            if not chunks:
                raise RuntimeError("the program ended") from None
        now = time.perf_counter()
        self._stream.feed(b"".join(chunks))
        return now

    def shows(self, text: str) -> bool:
        return any(text in line for line in self.screen.display)

    def wait(self, text: str, timeout: float = 30.0) -> float:
        """Block until `text` is on the screen; return the perf_counter time its bytes arrived."""
        deadline = time.perf_counter() + timeout
        if self.shows(text):
            return time.perf_counter()
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                shown = "\n".join(line.rstrip() for line in self.screen.display)
                raise TimeoutError(f"{text!r} did not show within {timeout} s; screen:\n{shown}")
            arrived = self._pump(min(left, 0.5))
            if arrived is not None and self.shows(text):
                return arrived

    def wait_gone(self, text: str, timeout: float = 30.0) -> float:
        """Block until `text` is no longer on the screen."""
        deadline = time.perf_counter() + timeout
        while self.shows(text):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{text!r} still shows after {timeout} s")
            self._pump(0.05)
        return time.perf_counter()

    def keys(self, data: str) -> float:
        os.write(self.fd, data.encode())
        return time.perf_counter()

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.fd)

    def __enter__(self) -> Term:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

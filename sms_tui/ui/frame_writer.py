"""A frame's bytes leave in the same moment the frame is made, not when a thread gets the GIL.

Textual hands every write to a writer thread ("textual-output") through a queue. After a key's
frame the UI loop goes on at once with the work the key started: the next conversations are
read ahead in threads of their own, and those threads and the loop hold the GIL. The writer
thread, woken by the queue, then waits for the interpreter's switch interval (5 ms) before it
can write. Traced in the real process at 100k leads (2026-11-30, idle machine): in the slow
`j` presses the frame was done 9 ms after the key, and its bytes reached the terminal 3-4 ms
later, while the read-ahead ran.

`install()` makes the driver's writer write in the caller's thread when the terminal can take
bytes now and nothing waits before them in the queue (the usual case: a frame, then nothing
until the next one). When the terminal is not reading (its buffer full), writes queue for the
thread as in Textual, and later ones queue behind them until the thread has written them all,
so the order of the bytes never changes and the loop does not wait for a slow terminal.
Textual is pinned exactly; tests/ui/test_frame_writer.py checks both ways.
"""

from __future__ import annotations

import select
import threading
from typing import IO

import textual.drivers.linux_driver as linux_driver
from textual.drivers._writer_thread import WriterThread


class FrameWriter(WriterThread):
    """Textual's writer thread, which the caller bypasses while the thread has nothing to do."""

    def __init__(self, file: IO[str]) -> None:
        super().__init__(file)
        self._guard = threading.Lock()
        self._unwritten = 0  # writes handed to the thread and not yet written by it

    def write(self, text: str) -> None:
        with self._guard:
            if self._unwritten == 0 and self._writable():
                self._file.write(text)
                self._file.flush()
                return
            self._unwritten += 1
        self._queue.put(text)

    def _writable(self) -> bool:
        try:
            return bool(select.select([], [self._file], [], 0)[1])
        except (OSError, ValueError):  # no descriptor (a test's file): the thread writes
            return False

    def run(self) -> None:
        write = self._file.write
        flush = self._file.flush
        get = self._queue.get
        while True:
            text = get()
            if text is None:
                break
            with self._guard:
                write(text)
                self._unwritten -= 1
                if self._unwritten == 0:
                    flush()
        flush()


def install() -> None:
    """The Linux driver's writer is a FrameWriter (once; idempotent)."""
    linux_driver.WriterThread = FrameWriter  # type: ignore[attr-defined]

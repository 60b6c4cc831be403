"""A frame's bytes leave in the same moment the frame is made, not when a thread gets the GIL.

Textual hands every write to a writer thread ("textual-output") through a queue. After a key's
frame the UI loop goes on at once with the work the key started: the next conversations are
read ahead in threads of their own, and those threads and the loop hold the GIL. The writer
thread, woken by the queue, then waits for the interpreter's switch interval (5 ms) before it
can write. Traced in the real process at 100k leads (2026-11-30, idle machine): in the slow
`j` presses the frame was done 9 ms after the key, and its bytes reached the terminal 3-4 ms
later, while the read-ahead ran.

`install()` makes the driver's writer write in the caller's thread, without blocking, as much
as the terminal takes now, when nothing waits before it in the queue (the usual case: a frame,
then nothing until the next one). What the terminal does not take at once (it is not reading:
a paused or slow terminal) goes to the thread as in Textual, and later writes queue behind it
until the thread has written it all: the order of the bytes never changes and the UI loop never
waits for the terminal. The write that does not block goes through a second descriptor of the
same terminal, opened non-blocking (setting O_NONBLOCK on the shared one would change it for
the shell too). Without a terminal (tests, a pipe) every write goes to the thread.
Textual is pinned exactly; tests/ui/test_frame_writer.py checks both ways.
"""

from __future__ import annotations

import os
import threading
from typing import IO

import textual.drivers.linux_driver as linux_driver
from textual.drivers._writer_thread import WriterThread


def _nonblocking_twin(file: IO[str]) -> int | None:
    """A non-blocking descriptor of the terminal `file` writes to, or None when it is not one."""
    try:
        fd = file.fileno()
        if not os.isatty(fd):
            return None
        return os.open(os.ttyname(fd), os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None


class FrameWriter(WriterThread):
    """Textual's writer thread, which the caller bypasses while the terminal takes its bytes."""

    def __init__(self, file: IO[str]) -> None:
        super().__init__(file)
        self._encoding = getattr(file, "encoding", None) or "utf-8"
        self._errors = getattr(file, "errors", None) or "strict"
        self._guard = threading.Lock()
        self._unwritten = 0  # writes handed to the thread and not yet written by it
        self._direct = _nonblocking_twin(file)

    def write(self, text: str) -> None:
        data = text.encode(self._encoding, self._errors)
        with self._guard:
            if self._unwritten == 0 and self._direct is not None:
                try:
                    sent = os.write(self._direct, data)
                except OSError:  # full (EAGAIN), or gone: the thread writes it, or meets the error
                    sent = 0
                if sent == len(data):
                    return
                data = data[sent:]  # the rest waits for the terminal, in the thread
            self._unwritten += 1
        self._queue.put(data)  # type: ignore[arg-type]  # bytes: this class's run() writes them

    def run(self) -> None:
        fd = self._file.fileno()
        get = self._queue.get
        while True:
            data: bytes | None = get()  # type: ignore[assignment]
            if data is None:
                break
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            with self._guard:
                self._unwritten -= 1

    def stop(self) -> None:
        super().stop()
        if self._direct is not None:
            os.close(self._direct)
            self._direct = None


def install() -> None:
    """The Linux driver's writer is a FrameWriter (once; idempotent)."""
    linux_driver.WriterThread = FrameWriter  # type: ignore[attr-defined]

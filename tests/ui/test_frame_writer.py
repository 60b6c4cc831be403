"""A frame's bytes are written when the frame is made, not when a thread gets its turn; when the
terminal does not read, writes queue for the thread and keep their order (`ui/frame_writer.py`)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator

import pytest
import textual.drivers.linux_driver as linux_driver
from textual.drivers._writer_thread import WriterThread

from sms_tui.ui import frame_writer
from sms_tui.ui.frame_writer import FrameWriter


@pytest.fixture
def pipe() -> Iterator[tuple[int, FrameWriter]]:
    read_end, write_end = os.pipe()
    writer = FrameWriter(os.fdopen(write_end, "w"))
    yield read_end, writer
    if writer.is_alive():
        writer.stop()
    writer._file.close()
    os.close(read_end)


def available(fd: int) -> bytes:
    """What can be read from `fd` now, without waiting."""
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    chunks = []
    try:
        while True:
            chunks.append(os.read(fd, 1 << 16))
    except BlockingIOError:
        pass
    finally:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags)
    return b"".join(chunks)


def fill(fd: int) -> bytes:
    """Write to `fd` until the pipe takes no more (a terminal that is not reading)."""
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    written = bytearray()
    try:
        while True:
            written += b"x" * os.write(fd, b"x" * 4096)
    except BlockingIOError:
        pass
    finally:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags)
    return bytes(written)


def test_a_frame_is_on_the_terminal_when_write_returns(pipe: tuple[int, FrameWriter]) -> None:
    read_end, writer = pipe  # the thread is not even started: no one else could write it
    writer.write("\x1b[2;1Hframe one")
    assert available(read_end) == b"\x1b[2;1Hframe one"
    writer.write("frame two")
    assert available(read_end) == b"frame two"


def test_a_terminal_that_does_not_read_gets_every_write_in_order(pipe: tuple[int, FrameWriter]) -> None:
    read_end, writer = pipe
    before = fill(writer._file.fileno())
    writer.write("A")  # the terminal takes nothing: queued for the thread, the caller goes on
    assert available(read_end) == before  # reading it frees the pipe; A is still queued
    writer.write("B")  # the terminal could take B now, but A is not written yet: B waits behind it
    assert available(read_end) == b""
    writer.start()
    writer.stop()  # the thread writes what was queued, then ends
    assert available(read_end) == b"AB"
    writer.write("C")  # nothing queued any more: written at once again
    assert available(read_end) == b"C"


def test_install_makes_textuals_linux_driver_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linux_driver, "WriterThread", WriterThread)
    frame_writer.install()
    assert vars(linux_driver)["WriterThread"] is FrameWriter

"""A frame's bytes are on the terminal when `write` returns, and a terminal that does not read
never makes the UI loop wait: what it does not take goes to the thread, in order
(`ui/frame_writer.py`). A real pseudo-terminal stands for the terminal."""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Iterator

import pytest
import textual.drivers.linux_driver as linux_driver
from textual.drivers._writer_thread import WriterThread

from sms_tui.ui import frame_writer
from sms_tui.ui.frame_writer import FrameWriter


@pytest.fixture
def terminal() -> Iterator[tuple[int, FrameWriter]]:
    """(the terminal's side to read from, a writer on the program's side), raw: bytes as written."""
    master, slave = os.openpty()
    tty.setraw(slave)
    writer = FrameWriter(os.fdopen(slave, "w", encoding="utf-8"))
    yield master, writer
    if writer.is_alive():
        writer.stop()
    writer._file.close()
    os.close(master)


def available(fd: int) -> bytes:
    """What the terminal can read now, without waiting."""
    chunks = []
    while select.select([fd], [], [], 0.05)[0]:
        chunks.append(os.read(fd, 1 << 16))
    return b"".join(chunks)


def read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        assert select.select([fd], [], [], 5)[0], f"only {len(data)} of {size} bytes came"
        data += os.read(fd, size - len(data))
    return data


def fill(writer: FrameWriter) -> int:
    """Write until the terminal takes no more (it is not reading); how many bytes went in. The
    kernel moves a pty's bytes on in two steps, so room can come back just after it said full:
    fill again until a pause brings none."""
    assert writer._direct is not None
    total = 0
    while True:
        added = 0
        try:
            while True:
                added += os.write(writer._direct, b"x" * 4096)
        except BlockingIOError:
            pass
        total += added
        if added == 0 and total > 0:
            return total
        time.sleep(0.05)


def returns_at_once(call: threading.Thread) -> None:
    call.start()
    call.join(5)
    assert not call.is_alive(), "write waited for the terminal"


def test_a_frame_is_on_the_terminal_when_write_returns(terminal: tuple[int, FrameWriter]) -> None:
    master, writer = terminal  # the thread is not even started: no one else could write it
    writer.write("\x1b[2;1Hframe one · ✓")
    expected = "\x1b[2;1Hframe one · ✓".encode()
    assert read_exactly(master, len(expected)) == expected
    writer.write("frame two")
    assert read_exactly(master, 9) == b"frame two"


def test_a_terminal_that_does_not_read_holds_up_nothing_and_gets_every_byte_in_order(
    terminal: tuple[int, FrameWriter],
) -> None:
    master, writer = terminal
    before = fill(writer)
    returns_at_once(threading.Thread(target=writer.write, args=("A",)))  # the thread is not started
    assert writer._unwritten == 1  # A waits for the thread
    assert read_exactly(master, before) == b"x" * before  # the terminal reads again; A is queued
    writer.write("B")  # the terminal could take B now, but A is not written yet: B waits behind it
    assert available(master) == b""
    writer.start()
    assert read_exactly(master, 2) == b"AB"
    while writer._unwritten:  # the thread counts A and B written
        threading.Event().wait(0.001)
    writer.write("C")  # nothing queued any more: written at once again (the thread writes nothing now)
    assert read_exactly(master, 1) == b"C"


def test_a_frame_larger_than_the_terminal_takes_goes_out_whole(terminal: tuple[int, FrameWriter]) -> None:
    master, writer = terminal
    writer.start()
    frame = "".join(f"\x1b[{row};1Hrow {row:04d} é" for row in range(20_000))  # ~400 KB
    returns_at_once(threading.Thread(target=writer.write, args=(frame,)))  # nobody reads meanwhile
    writer.write("END")
    expected = frame.encode() + b"END"
    assert read_exactly(master, len(expected)) == expected


def test_without_a_terminal_the_thread_writes() -> None:
    read_end, write_end = os.pipe()
    writer = FrameWriter(os.fdopen(write_end, "w"))
    assert writer._direct is None
    writer.start()
    writer.write("via the thread")
    writer.stop()
    assert os.read(read_end, 100) == b"via the thread"
    writer._file.close()
    os.close(read_end)


def test_install_makes_textuals_linux_driver_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linux_driver, "WriterThread", WriterThread)
    frame_writer.install()
    assert vars(linux_driver)["WriterThread"] is FrameWriter

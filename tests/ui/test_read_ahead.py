"""The marked leads read ahead while the rep writes: the preview takes what was read and the rest
as it comes, and reads itself what the reader did not get to."""

from __future__ import annotations

import threading

from sms_tui.core.campaign import Recipient
from sms_tui.ui.read_ahead import ReadAhead


def _r(n: int) -> Recipient:
    return Recipient(f"lead_{n}", f"Lead {n}")


def test_a_consumer_gets_what_was_read_then_each_slice_as_it_comes() -> None:
    ahead = ReadAhead([f"lead_{n}" for n in range(6)])
    ahead.put([_r(0), _r(1)], 2)
    got: list[str] = []
    second = threading.Event()

    def consume() -> None:
        for piece in ahead.slices():
            got.extend(r.lead_id for r in piece)
            if len(got) == 2:
                second.set()

    worker = threading.Thread(target=consume)
    worker.start()
    assert second.wait(5)
    ahead.put([_r(2), _r(4)], 3)  # lead_3 is no longer in the cache
    ahead.put([_r(5)], 1)
    ahead.finish(complete=True)
    worker.join(5)
    assert not worker.is_alive()
    assert got == ["lead_0", "lead_1", "lead_2", "lead_4", "lead_5"]
    assert ahead.complete and ahead.unread() == ()
    assert [r.lead_id for piece in ahead.slices() for r in piece] == got  # a second preview: all again


def test_a_reader_that_stops_early_leaves_the_rest_to_the_consumer() -> None:
    ahead = ReadAhead(["a", "b", "c", "d"])
    ahead.put([Recipient("a", "A")], 1)
    ahead.finish(complete=False)
    assert [r.lead_id for piece in ahead.slices() for r in piece] == ["a"]
    assert not ahead.complete and ahead.unread() == ("b", "c", "d")

"""The marked leads of a bulk text, read ahead while the rep writes (issue 14).

One worker reads the leads slice by slice (`put`, then `finish`); the preview takes the slices as
they come (`slices`), so a rep who presses ctrl+j before the reading is over loses none of it: the
preview starts on what was read and waits only for the slice it needs next. When the reader stops
early (`finish(complete=False)`), the preview reads the rest itself (`unread`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from sms_tui.core.campaign import Recipient


class ReadAhead:
    def __init__(self, lead_ids: Sequence[str]) -> None:
        self.lead_ids: tuple[str, ...] = tuple(lead_ids)
        self._slices: list[list[Recipient]] = []
        self._read = 0  # lead ids covered by the slices
        self._finished = False
        #: Every lead id was read (so far as the cache has them); set by `finish`.
        self.complete = False
        self._cond = threading.Condition()

    def put(self, recipients: list[Recipient], covered: int) -> None:
        """A slice read: `recipients` for the next `covered` lead ids (leads gone from the cache are
        not in it)."""
        with self._cond:
            self._slices.append(recipients)
            self._read += covered
            self._cond.notify_all()

    def finish(self, *, complete: bool) -> None:
        with self._cond:
            self._finished = True
            self.complete = complete
            self._cond.notify_all()

    def slices(self) -> Iterator[list[Recipient]]:
        """Every slice read so far and then each as it is read, until the reader finishes."""
        i = 0
        while True:
            with self._cond:
                while i >= len(self._slices) and not self._finished:
                    self._cond.wait()
                if i >= len(self._slices):
                    return
                piece = self._slices[i]
            i += 1
            yield piece

    def unread(self) -> tuple[str, ...]:
        """The lead ids the reader did not get to (after `slices` ended)."""
        with self._cond:
            return self.lead_ids[self._read :]

    def recipients(self) -> list[Recipient]:
        """Everything read so far, in order."""
        with self._cond:
            return [r for piece in self._slices for r in piece]

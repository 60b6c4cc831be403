"""Log lines go through the one safe path too: a provider's error text cannot reach stderr raw."""

from __future__ import annotations

import logging
import sys

from sms_tui.commands.failures import SafeFormatter, install_safe_logging
from tests.ui.hostile import CORPUS, FORBIDDEN


def test_a_hostile_message_and_exception_are_formatted_safely() -> None:
    formatter = SafeFormatter("%(levelname)s %(message)s")
    for item in CORPUS:
        try:
            raise RuntimeError(item)
        except RuntimeError:
            record = logging.LogRecord(
                "sms_tui.sync", logging.WARNING, __file__, 1, item, None, sys.exc_info()
            )
        line = formatter.format(record)
        assert not [seq for seq in FORBIDDEN if seq in line], repr(item)
        assert "Traceback" in line and line.startswith("WARNING ")


def test_install_covers_the_last_resort_handler() -> None:
    install_safe_logging()
    assert logging.lastResort is not None
    assert isinstance(logging.lastResort.formatter, SafeFormatter)


def test_install_keeps_each_handler_s_own_format() -> None:
    import io
    import re

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install_safe_logging()
        logging.getLogger("sms_tui.test").warning("GET /x \x1b]0;pwned\x07 200")
    finally:
        root.removeHandler(handler)
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET /x ␛\]0;pwned␇ 200\n", stream.getvalue()), stream.getvalue()

"""The `sms-tui` command's entry point: no garbage collection until the inbox's first frame.

Start-up builds some 150,000 objects (Textual, Rich, our modules, the first screen) and frees few of
them, yet the collector makes ~170 passes over them before the first frame: 63–74 ms of the
process's ~850 ms CPU before the first rows (gc.callbacks in the real process in a pty, 100k
leads, run at nice -15 on the 2 shared cores, 2026-11-30). Exec -> first rows, paired with the
code before this change in 25 alternating starts (nice -15, bytecode compiled): 852 -> 761 ms
(medians), faster in 18 of 25 pairs by a median of 126 ms. So it is off from the first import on;
the app turns it back on once its first frame is painted (`SmsApp.on_mount`), every other command
as soon as click has picked it (`cli.main`), and this function on the way out whatever happened.

The code `@dataclass` generates is compiled once and kept beside the bytecode
(`sms_tui/dataclass_cache.py`): installed here, before anything else is imported.

The plain `sms-tui` (no arguments) opens the inbox without going through click: click and the
modules of the other commands cost ~25 ms of imports before the first frame (`-X importtime`).
"""

from __future__ import annotations

import gc
import sys

from sms_tui import dataclass_cache


def main() -> None:
    gc.disable()
    dataclass_cache.install()  # before any dataclass is built (sms_tui/dataclass_cache.py)
    try:
        if len(sys.argv) <= 1:  # the plain `sms-tui`: the inbox, without click and the other commands
            from sms_tui.commands.inbox import start

            start()
        else:
            from sms_tui.cli import main as cli_main

            cli_main()
    finally:
        gc.enable()
        dataclass_cache.save()
        dataclass_cache.uninstall()  # the standard library's own exec for anything after

"""The composer's keys (send, send anyway, schedule, templates, attach, GSM-safe), with their binding ids.

The ids are what the rep's keymap names (`composer.send`, ...) and what the composer's hint lines
look up to show the key actually bound; `Composer.BINDINGS` is this table.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

COMPOSER_BINDINGS: list[BindingType] = [
    Binding(
        "ctrl+j,alt+enter,ctrl+enter",
        "send",
        "Send",
        id="composer.send",
        tooltip="Send this message (after the undo delay); ctrl+enter only if the terminal reports it.",
    ),
    Binding(
        "ctrl+o",
        "send_anyway",
        "Send anyway",
        id="composer.send_anyway",
        show=False,  # the guard / counter line shows this key when it applies
        tooltip="Send despite the warnings shown under the counter (blocks still stop it).",
    ),
    Binding(
        "ctrl+s",
        "schedule",
        "Schedule",
        id="composer.schedule",
        tooltip="Pick a date and time to send this message.",
    ),
    Binding(
        "ctrl+t",
        "templates",
        "Templates",
        id="composer.templates",
        tooltip="Insert a template rendered for this lead.",
    ),
    Binding(
        "ctrl+n",
        "attach",
        "Attach",
        id="composer.attach",
        show=False,  # the quiet hint line names it (the footer has no room at 80 columns)
        tooltip="Attach a picture, video, PDF or contact card (an MMS); ctrl+a stays the text's line start.",
    ),
    Binding(
        "ctrl+g",
        "gsm_safe",
        "GSM-safe",
        id="composer.gsm_safe",
        show=False,  # the guard / counter line shows this key when it applies
        tooltip="Replace curly quotes, dashes and odd spaces so the text fits GSM-7 (ctrl+z undoes).",
    ),
]

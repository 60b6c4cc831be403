"""Snapshots of the composer and the template picker in the states the README shows.

Few on purpose (STYLE §4.11): the flows are asserted in test_composer / test_dialogs;
these catch layout regressions (a hint that wraps away, a mark that stops showing).
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sms_tui.core.models import Template
from sms_tui.core.templates import template_context
from sms_tui.ui.screens.template_picker import TemplatePicker
from tests.ui._composer_host import NIGHT, Host, context
from tests.ui.test_dialogs import DialogHost

UCS2_DRAFT = "Hi Bob, it’s Dana from Acme — the quote is attached… Reply STOP to opt out."


async def _no_blink(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, Host)
    app.composer.input.cursor_blink = False
    await pilot.pause()


def test_composer_with_ucs2_marks_and_a_quiet_hours_warning(snap_compare: Any) -> None:
    app = Host(context(now=NIGHT, first_message=True, contact_name="Bob [VIP] Smith"), draft=UCS2_DRAFT)
    assert snap_compare(app, terminal_size=(80, 16), run_before=_no_blink)


def test_template_picker_with_a_missing_value(snap_compare: Any) -> None:
    templates = [
        Template("t1", "Intro [Offer]", "Hi {{ contact.first_name }}, this is {{ user.first_name }}."),
        Template("t2", "Follow up", "Just checking in, {{ contact.first_name }}!"),
    ]
    app = DialogHost(TemplatePicker(templates, template_context(user_first_name="Dana")))
    assert snap_compare(app, terminal_size=(80, 24))

"""Hostile data never reaches the terminal raw: every screen and dialog, against a poisoned carrier.

Every text field of every fake-carrier object (lead and contact names, phone labels, user and
organization names, template names and bodies, SMS text, error messages) holds the hostile corpus
of `tests/ui/hostile.py`. At each screen and dialog the test renders what Textual's driver would
write to the terminal and asserts that no sequence from the data is in it.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList

from sms_tui.ui.screens.help import HelpScreen
from sms_tui.ui.screens.schedule import ScheduleDialog
from sms_tui.ui.screens.snooze import SnoozeDialog
from sms_tui.ui.screens.template_picker import TemplatePicker
from tests.ui.harness import Live, inbox, live_app, open_lead, settle, until
from tests.ui.hostile import CORPUS, leaks, poison, terminal_output


async def _poisoned(tmp_path: Path) -> Live:
    live = await live_app(tmp_path)
    poison(live.http._transport.app.carrier)  # type: ignore[attr-defined]
    return live


MARKUP = CORPUS[0].split(" [link")[0]  # "[bold red]Markup[/]", which must show as typed


def _check(app: Live, where: str, seen: dict[str, list[str]]) -> None:
    output = terminal_output(app.app)
    assert output, f"nothing rendered at {where}"
    if MARKUP in output:
        seen.setdefault("markup shown as typed", [])
    found = leaks(output)
    if found:
        seen[where] = found


async def _wait_screen(pilot: Pilot[None], kind: type) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind))
    await settle(pilot)


async def test_no_sequence_from_the_data_reaches_the_terminal_on_any_screen(tmp_path: Path) -> None:
    live = await _poisoned(tmp_path)
    seen: dict[str, list[str]] = {}
    async with live.app.run_test(size=(120, 40), message_hook=live.messages.append) as pilot:
        await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
        await settle(pilot)
        screen = inbox(live.app)
        rows = [row for _, row in screen.leads.loaded_rows()]
        # Walk the first leads: the list, the conversation header and bubbles, the composer's route.
        for index in range(min(len(rows), len(CORPUS) + 2)):
            screen.leads.move_to(index)
            await until(pilot, lambda: screen.composer.context is not None)
            await settle(pilot)
            _check(live, f"inbox, lead {index}", seen)
        # A hostile reply arrives: its toast.
        ours = next(n.number for n in live.store.our_numbers() if n.country == "US")
        target = next(r for r in rows if (r.phone or "").startswith("+1"))
        for text in CORPUS[:9]:
            await live.inbound(target.phone or "", ours, text)
        live.app.sync.poll()
        await settle(pilot)
        await until(pilot, lambda: bool(live.notifications()))
        await pilot.pause()
        _check(live, "reply toasts", seen)

        # Template picker: names, the rendered preview, its title; every template in turn.
        await open_lead(pilot, target.lead_id)
        await pilot.press("r")
        await pilot.press("ctrl+t")
        await _wait_screen(pilot, TemplatePicker)
        options = pilot.app.screen.query_one("#template-list", OptionList)
        for n in range(options.option_count):
            options.highlighted = n
            await pilot.pause()
            _check(live, f"template picker, template {n}", seen)
        await pilot.press("enter")  # insert it: the composer now holds a hostile template body
        await settle(pilot)
        _check(live, "composer with a hostile template body", seen)

        # Schedule dialog (the recipient's name is in it), for a text the guard lets through.
        screen.composer.load("Hi, it is Alex from Sunrise Solar. Reply STOP to opt out.")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await _wait_screen(pilot, ScheduleDialog)
        _check(live, "schedule dialog", seen)
        await pilot.press("escape")
        await settle(pilot)

        # Snooze dialog (its title names the lead).
        await pilot.press("escape")
        await pilot.press("z")
        await _wait_screen(pilot, SnoozeDialog)
        _check(live, "snooze dialog", seen)
        await pilot.press("escape")
        await settle(pilot)

        # Help and the command palette.
        await pilot.press("question_mark")
        await _wait_screen(pilot, HelpScreen)
        _check(live, "help", seen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await settle(pilot)
        _check(live, "command palette", seen)
        await pilot.press("escape")
        await settle(pilot)

        # Search for a hostile string: the bar and the matching rows.
        await pilot.press("slash")
        await pilot.press(*"bidi")
        await pilot.press("enter")
        await settle(pilot)
        _check(live, "search", seen)
    assert seen.pop("markup shown as typed", None) == [], "the markup name was never shown as typed"
    assert not seen, "\n".join(f"{where}: {', '.join(found)}" for where, found in seen.items())

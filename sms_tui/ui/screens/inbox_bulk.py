"""The inbox's bulk texting glue: from the marked leads to compose, preview, campaign, campaigns.

`BulkGlue` is composed into `InboxScreen` like the other glue objects: `b` opens the compose
screen for the marked leads (the text is kept here between visits, so Escape loses nothing), the
compose screen opens the preview, the preview creates the campaign and hands back its id; then the
marks are cleared and the campaigns screen shows it running. `B` opens the campaigns screen.
Store reads run in thread workers; the screens are pushed on the UI thread.

The bulk and campaign modules (their screens, `core.campaign`, the read-ahead) load when the rep
first asks for them, not before the inbox's first frame (`tests/test_import_hygiene.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sms_tui.core.compliance import ComplianceRules
from sms_tui.core.models import OurNumber, Template
from sms_tui.ui.services import AppServices
from sms_tui.ui.text import visible
from sms_tui.ui.workers import in_thread

if TYPE_CHECKING:
    from sms_tui.ui.read_ahead import ReadAhead
    from sms_tui.ui.screens.bulk_compose import BulkComposeScreen

#: Numbers parsed and kept ahead at most (those the background fill has not reached), per bulk text.
WARM_NUMBERS = 15_000
#: Leads read ahead per statement batch (the preview can start after each).
READ_SLICE = 500


class BulkGlue:
    def __init__(self, screen: Any) -> None:
        # `screen` is the InboxScreen (not imported here: it imports this module).
        self.screen = screen
        self.text = ""
        self.template_id: str | None = None
        self._sender = ("", "", "")
        self._org = ""
        self._numbers: tuple[OurNumber, ...] = ()
        #: The marked leads, read ahead while the rep writes: see `_prepare`.
        self._ready: ReadAhead | None = None
        self._stop_saving = False

    @property
    def app(self) -> AppServices:
        services: AppServices = self.screen.sms_app
        return services

    def compose(self) -> None:
        from sms_tui.core.campaign import compose_problem

        ids = list(self.screen.leads.marked)
        problem = compose_problem("x", len(ids))
        if problem is not None:
            self.screen.notify(problem, severity="warning", markup=False, timeout=4)
            return
        in_thread(self.screen, self._read_then_compose, ids, group="bulk-open", description="Open bulk text")

    def _read_then_compose(self, ids: list[str]) -> None:
        store = self.app.store
        templates = store.templates()
        me, org = store.me(), store.organization()
        self._sender = (me.first_name, me.last_name, me.email) if me is not None else ("", "", "")
        self._org = org.name if org is not None else ""
        self._numbers = tuple(store.our_numbers())
        self.screen.app.call_from_thread(self._open_compose, ids, templates)
        self._prepare(ids)

    def _prepare(self, ids: list[str]) -> None:
        """While the rep writes: read the marked leads with their phones' parsed facts (the costly
        part of a verdict), so the preview starts warm; a ctrl+j before the end takes what was read
        and the rest as it comes (`ReadAhead`). Then numbers the cache has no facts for yet (the
        sync's background fill has not reached them) are parsed and kept, until ctrl+j. Read
        again at each visit: flags may have changed; and the guard judges every message again
        before it is pushed, so a STOP arriving meanwhile still stops it."""
        from sms_tui.ui import gc_pause
        from sms_tui.ui.read_ahead import ReadAhead

        ahead = ReadAhead(ids)
        self._ready, self._stop_saving = ahead, False
        store = self.app.store
        complete = False
        with gc_pause.paused():  # thousands of objects that all live on: see ui/gc_pause.py
            try:
                for start in range(0, len(ids), READ_SLICE):
                    if self._ready is not ahead:  # another bulk text began, or this one was created
                        return
                    chunk = ids[start : start + READ_SLICE]
                    ahead.put(store.preview_recipients(chunk), len(chunk))
                complete = True
            finally:
                ahead.finish(complete=complete)
        rules = self.app.rules
        region = rules.default_region if isinstance(rules, ComplianceRules) else "US"
        numbers = [e.phone for r in ahead.recipients() for c in r.contacts for e in c.phones]
        for start in range(0, min(len(numbers), WARM_NUMBERS), 500):
            if self._stop_saving or self._ready is not ahead:
                return
            store.save_phone_facts(numbers[start : start + 500], region)

    def _open_compose(self, ids: list[str], templates: list[Template]) -> None:
        from sms_tui.ui.screens.bulk_compose import BulkComposeScreen

        self.screen.app.push_screen(
            BulkComposeScreen(
                ids,
                templates,
                text=self.text,
                template_id=self.template_id,
                on_preview=self._preview,
                keep_text=self._keep,
            )
        )

    def _keep(self, text: str, template_id: str | None) -> None:
        self.text, self.template_id = text, template_id

    def _preview(self, compose: BulkComposeScreen, text: str, template_id: str | None) -> None:
        from sms_tui.core.campaign import BulkMessage
        from sms_tui.ui.bulk import BulkPlan
        from sms_tui.ui.screens.bulk_preview import BulkPreviewScreen

        first, last, email = self._sender
        message = BulkMessage(text, template_id, first, last, email, org_name=self._org)
        rules = self.app.rules if isinstance(self.app.rules, ComplianceRules) else None
        plan = BulkPlan(message, self._numbers, rules=rules)
        app = self.app
        self._stop_saving = True  # the preview parses what it needs; the reading goes on
        ready = self._ready
        preview = BulkPreviewScreen(plan, compose.lead_ids, app.store, app.now, app.rep_tz, self._created)
        if ready is not None and ready.lead_ids == tuple(compose.lead_ids):
            preview.read_ahead = ready
        self.screen.app.push_screen(preview)

    def _created(self, campaign_id: int, sentence: str) -> None:
        from sms_tui.ui.screens.bulk_compose import BulkComposeScreen
        from sms_tui.ui.screens.bulk_preview import BulkPreviewScreen

        self.text, self.template_id = "", None
        self._ready = None
        self.screen.leads.clear_marks()
        app = self.screen.app
        while isinstance(app.screen, BulkPreviewScreen | BulkComposeScreen):
            app.pop_screen()
        self.screen.notify(visible(sentence), markup=False, timeout=5)
        self.app.push_now()  # the sync engine's runner releases what is due
        self.campaigns(select=campaign_id)

    def campaigns(self, select: int | None = None) -> None:
        from sms_tui.ui.screens.campaigns import CampaignsScreen

        app = self.app
        self.screen.app.push_screen(CampaignsScreen(app.store, app.now, app.rep_tz, select=select))

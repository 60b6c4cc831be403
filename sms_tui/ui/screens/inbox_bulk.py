"""The inbox's bulk texting glue: from the marked leads to compose, preview, campaign, campaigns.

`BulkGlue` is composed into `InboxScreen` like the other glue objects: `b` opens the compose
screen for the marked leads (the text is kept here between visits, so Escape loses nothing), the
compose screen opens the preview, the preview creates the campaign and hands back its id; then the
marks are cleared and the campaigns screen shows it running. `B` opens the campaigns screen.
Store reads run in thread workers; the screens are pushed on the UI thread.
"""

from __future__ import annotations

from typing import Any

from sms_tui.core import phones
from sms_tui.core.campaign import BulkMessage, Recipient, compose_problem
from sms_tui.core.compliance import ComplianceRules
from sms_tui.core.models import OurNumber, Template
from sms_tui.ui.bulk import BulkPlan
from sms_tui.ui.screens.bulk_compose import BulkComposeScreen
from sms_tui.ui.screens.bulk_preview import BulkPreviewScreen
from sms_tui.ui.screens.campaigns import CampaignsScreen
from sms_tui.ui.services import AppServices
from sms_tui.ui.text import visible
from sms_tui.ui.workers import in_thread

#: Phones parsed ahead at most: below `core.phones`' memo size, so the first ones are still there.
WARM_NUMBERS = 15_000


class BulkGlue:
    def __init__(self, screen: Any) -> None:
        # `screen` is the InboxScreen (not imported here: it imports this module).
        self.screen = screen
        self.text = ""
        self.template_id: str | None = None
        self._sender = ("", "", "")
        self._org = ""
        self._numbers: tuple[OurNumber, ...] = ()
        #: The marked leads read ahead while the rep writes (None until read): see `_prepare`.
        self._ready: tuple[tuple[str, ...], list[Recipient]] | None = None
        self._stop_prepare = False

    @property
    def app(self) -> AppServices:
        services: AppServices = self.screen.sms_app
        return services

    def compose(self) -> None:
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
        """While the rep writes: read the marked leads and parse their phones (the costly part of a
        verdict, memoised by `core.phones` up to its cache size), so the preview starts warm. The
        guard judges every message again right before it is pushed, so a STOP arriving meanwhile
        still stops it."""
        self._stop_prepare = False
        self._ready = None  # read again: flags may have changed since the last visit
        key = tuple(ids)
        store = self.app.store
        recipients: list[Recipient] = []
        for start in range(0, len(ids), 500):
            if self._stop_prepare:
                return
            recipients += store.preview_recipients(ids[start : start + 500])
        self._ready = (key, recipients)
        budget = WARM_NUMBERS
        for recipient in recipients:
            for contact in recipient.contacts:
                for entry in contact.phones:
                    if self._stop_prepare or budget <= 0:
                        return
                    budget -= 1
                    try:
                        phones.parse_phone(entry.phone)
                    except phones.PhoneError:
                        pass

    def _open_compose(self, ids: list[str], templates: list[Template]) -> None:
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
        first, last, email = self._sender
        message = BulkMessage(text, template_id, first, last, email, org_name=self._org)
        rules = self.app.rules if isinstance(self.app.rules, ComplianceRules) else None
        plan = BulkPlan(message, self._numbers, rules=rules)
        app = self.app
        self._stop_prepare = True
        ready = self._ready
        read = ready[1] if ready is not None and ready[0] == tuple(compose.lead_ids) else None
        preview = BulkPreviewScreen(plan, compose.lead_ids, app.store, app.now, app.rep_tz, self._created)
        preview.read_ahead = read
        self.screen.app.push_screen(preview)

    def _created(self, campaign_id: int, sentence: str) -> None:
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
        app = self.app
        self.screen.app.push_screen(CampaignsScreen(app.store, app.now, app.rep_tz, select=select))

"""The bulk preview's state, without Textual: previews, the rep's decisions, filters, totals.

`BulkPlan` holds one `core.campaign.Preview` per recipient and what the rep decided for each:
approved (it goes), skipped (it does not), or not decided yet (it does not go either: only what
the rep approved leaves). A blocked lead cannot be approved. `new_recipients()` turns the plan into
the rows `Store.create_campaign` stores (h14b's `NewRecipient`): approved ones with their verdict,
blocked ones as blocked, the rest as skipped, so the report accounts for every lead chosen.

The screens (`screens/bulk_compose.py`, `screens/bulk_preview.py`) call this; tests call it directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sms_tui.core.campaign import (
    DEFAULT_PRICES,
    BulkMessage,
    Preview,
    Prices,
    Recipient,
    preview_one,
    with_text,
)
from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules, sender_names
from sms_tui.core.models import OurNumber
from sms_tui.core.segments import SegmentInfo
from sms_tui.store.campaign_rows import NewRecipient

Filter = Literal["all", "block", "warn", "ok"]
Decision = Literal["approved", "skipped"]
FILTERS: tuple[Filter, ...] = ("all", "block", "warn", "ok")
FILTER_LABELS: dict[Filter, str] = {"all": "All", "block": "Blocked", "warn": "Warnings", "ok": "OK"}


@dataclass(frozen=True, slots=True)
class PlanTotals:
    """The preview's top line: verdicts over everyone, segments and cost over what is approved."""

    recipients: int
    ok: int
    warned: int
    blocked: int
    approved: int
    skipped: int
    segments: int
    cost_cents: Decimal


class BulkPlan:
    """Previews in recipient order, with the rep's decisions (see the module docstring)."""

    def __init__(
        self,
        message: BulkMessage,
        numbers: Sequence[OurNumber],
        *,
        rules: ComplianceRules | None = None,
        prices: Prices | None = None,
    ) -> None:
        self.message = message
        self.numbers = tuple(numbers)
        self.rules = rules or DEFAULT_RULES
        self.prices = prices or DEFAULT_PRICES
        self.previews: list[Preview] = []
        self.recipients: list[Recipient] = []
        self.decisions: dict[str, Decision] = {}
        self._index: dict[str, int] = {}
        self._names = sender_names(message.user_name, message.org_name)
        self._cache: dict[str, SegmentInfo] = {}

    # -- filling ------------------------------------------------------------------------------

    def compute(self, recipients: Iterable[Recipient], now: datetime) -> list[Preview]:
        """Previews for `recipients` (not added: `add` does that, on the UI thread)."""
        return [
            preview_one(
                r, self.message, self.numbers, now=now, rules=self.rules, prices=self.prices,
                cache=self._cache, names=self._names,
            )
            for r in recipients
        ]  # fmt: skip

    def add(self, recipients: Sequence[Recipient], previews: Sequence[Preview]) -> None:
        for recipient, p in zip(recipients, previews, strict=True):
            if p.lead_id in self._index:
                continue
            self._index[p.lead_id] = len(self.previews)
            self.previews.append(p)
            self.recipients.append(recipient)

    def __len__(self) -> int:
        return len(self.previews)

    # -- decisions ----------------------------------------------------------------------------

    def decision(self, lead_id: str) -> Decision | None:
        return self.decisions.get(lead_id)

    def toggle(self, lead_id: str) -> str | None:
        """Approve an undecided or skipped lead, skip an approved one. Returns why not, if refused."""
        p = self.get(lead_id)
        if p is None:
            return None
        if self.decisions.get(lead_id) == "approved":
            self.decisions[lead_id] = "skipped"
            return None
        if p.verdict == "block":
            return f"Blocked, it cannot be approved: {p.reason}"
        self.decisions[lead_id] = "approved"
        return None

    def skip(self, lead_id: str) -> None:
        self.decisions[lead_id] = "skipped"

    def approve_all_clean(self) -> int:
        """Approve every lead whose verdict is ok and that the rep did not skip; returns how many."""
        n = 0
        for p in self.previews:
            if p.verdict == "ok" and p.lead_id not in self.decisions:
                self.decisions[p.lead_id] = "approved"
                n += 1
        return n

    def edit(self, lead_id: str, text: str | None, now: datetime) -> Preview | None:
        """Give one lead its own text (None: back to the campaign's) and judge it again. An approved
        lead whose new text is blocked is no longer approved."""
        i = self._index.get(lead_id)
        if i is None:
            return None
        recipient = with_text(self.recipients[i], text)
        (p,) = self.compute([recipient], now)
        self.recipients[i], self.previews[i] = recipient, p
        if p.verdict == "block" and self.decisions.get(lead_id) == "approved":
            del self.decisions[lead_id]
        return p

    def get(self, lead_id: str) -> Preview | None:
        i = self._index.get(lead_id)
        return None if i is None else self.previews[i]

    # -- views ----------------------------------------------------------------------------------

    def visible(self, which: Filter) -> list[int]:
        """Indexes of the previews the filter shows."""
        if which == "all":
            return list(range(len(self.previews)))
        return [i for i, p in enumerate(self.previews) if p.verdict == which]

    def totals(self) -> PlanTotals:
        ok = warned = blocked = approved = skipped = segments = 0
        cost = Decimal(0)
        decisions = self.decisions
        for p in self.previews:
            verdict = p.verdict
            if verdict == "ok":
                ok += 1
            elif verdict == "warn":
                warned += 1
            else:
                blocked += 1
            decided = decisions.get(p.lead_id)
            if decided == "approved":
                approved += 1
                segments += p.segments
                cost += p.cost_cents
            elif decided == "skipped":
                skipped += 1
        return PlanTotals(len(self.previews), ok, warned, blocked, approved, skipped, segments, cost)

    # -- the campaign ---------------------------------------------------------------------------

    def new_recipients(self) -> tuple[list[NewRecipient], int]:
        """The rows of the campaign, and how many leads were left out because they have no phone or
        no sending number (the store keeps a row only with both; those are blocked anyway)."""
        rows: list[NewRecipient] = []
        left_out = 0
        for p in self.previews:
            if not p.to_number or not p.from_number:
                left_out += 1
                continue
            approved = self.decisions.get(p.lead_id) == "approved" and p.verdict != "block"
            rows.append(
                NewRecipient(
                    lead_id=p.lead_id,
                    phone=p.to_number,
                    from_number=p.from_number,
                    text=p.text,
                    segments=p.segments,
                    verdict=p.verdict,
                    reason=" ".join(i.message for i in p.blocks + p.warnings),
                    contact_id=p.contact_id,
                    display_name=p.lead_name,
                    tz=p.time_zone,
                    est_cost=float(p.cost_cents),
                    skipped=not approved and p.verdict != "block",
                )
            )
        return rows, left_out

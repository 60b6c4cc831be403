"""What the composer needs to know about the conversation it writes into.

The screen builds one `ComposerContext` per selected lead (from the store) and hands it
to `Composer.set_context`. Everything the send guard and the counter need travels here,
including the clock, so the composer never reads the store, the config or the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sms_tui.core import compliance, mms, phones
from sms_tui.core.compliance import ComplianceRules, SendCheck
from sms_tui.core.models import Attachment, OurNumber
from sms_tui.core.safe_text import Safe
from sms_tui.ui.route import PhoneChoice


def utc_now() -> datetime:
    """The default clock: aware UTC now. Tests and the app inject their own."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ComposerContext:
    """One lead's sending situation, as the composer and its guard see it."""

    lead_id: str
    contact_id: str | None = None
    #: Recipient, E.164, or None when the lead has no number we can use.
    to_number: str | None = None
    #: Our sending number for the recipient's country, or None when we have none.
    from_number: str | None = None
    opted_out: bool = False
    do_not_text: bool = False
    #: True when we have never texted this lead: the identify-yourself / opt-out-line rule applies.
    first_message: bool = False
    #: Context for `core.templates.render`: {"contact": {...}, "lead": {...}, "user": {...}, ...}.
    template_context: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    #: Who is sending (for the identify-yourself rule and the From line).
    user_name: str = ""
    org_name: str = ""
    #: Display name of the recipient contact, through the one safe path (shown on the To line).
    contact_name: Safe = Safe("")
    #: Every phone of every contact on the lead (the recipient picker's list).
    phones: tuple[PhoneChoice, ...] = ()
    #: All our SMS numbers; the picker offers those in the recipient's country.
    numbers: tuple[OurNumber, ...] = ()

    #: `core.compliance` rules; None means the module's defaults.
    rules: ComplianceRules | None = None
    #: Injected clock returning aware UTC; quiet hours are judged with it.
    now: Callable[[], datetime] = utc_now
    #: `core.mms` rules (where MMS may go, size limits, prices); the settings' country list.
    mms_rules: mms.MmsRules = mms.DEFAULT_MMS_RULES

    @property
    def sender_names(self) -> tuple[str, ...]:
        """Names that identify us in a first message, as a rep would write them.

        "Dana Smith" also counts as "Dana" or "Smith" ("Hi, Dana here"), and "Acme Inc." as
        "Acme": reps drop last names and legal suffixes.
        """
        return compliance.sender_names(self.user_name, self.org_name)


#: `core.compliance` Issue code for quiet hours (judged by the schedule dialog for the chosen time).
QUIET_HOURS_CODE = "quiet_hours"


def run_check(
    text: str,
    context: ComposerContext,
    *,
    at: datetime | None = None,
    attachments: Sequence[Attachment] = (),
) -> SendCheck:
    """Run the one send guard (`core.compliance.check_send`) for `text` in `context`.

    `at` judges the text at another moment (the schedule dialog's quiet-hours warning);
    by default the context's clock says now. With `attachments` (an MMS) the text may be empty
    and `core.mms.check_attachments` adds its blocks (type, size, country, count).
    """
    check = compliance.check_send(
        text=text,
        to_number=context.to_number or "",
        from_number=context.from_number or "",
        opted_out=context.opted_out,
        do_not_text=context.do_not_text,
        now=at if at is not None else context.now(),
        first_message=context.first_message,
        rules=context.rules if context.rules is not None else compliance.DEFAULT_RULES,
        sender_names=context.sender_names,
    )
    if context.from_number is None:
        check = _explain_missing_sender(check, context)
    if attachments:
        check = _with_attachments(check, context, attachments)
    return check


def _with_attachments(
    check: SendCheck, context: ComposerContext, attachments: Sequence[Attachment]
) -> SendCheck:
    """A picture alone is a message: no "empty" block; the MMS rules' blocks are added."""
    kept = tuple(issue for issue in check.blocks if issue.code != "empty")
    found = mms.check_attachments(
        attachments,
        from_number=context.from_number or "",
        to_number=context.to_number or "",
        rules=context.mms_rules,
    )
    return replace(check, blocks=kept + found)


def no_sender_sentence(context: ComposerContext) -> str:
    """Why there is no From number, in the rep's words (the store found none for the country)."""
    return f"We have no sending number {_recipient_country(context)}; add one in Close to text this lead."


def _explain_missing_sender(check: SendCheck, context: ComposerContext) -> SendCheck:
    """core says "our number is not usable: the phone number is empty"; say what that means here."""
    blocks = tuple(
        replace(issue, message=no_sender_sentence(context)) if issue.detail == "invalid_sender" else issue
        for issue in check.blocks
    )
    return replace(check, blocks=blocks)


def _recipient_country(context: ComposerContext) -> str:
    if context.to_number:
        try:
            return phones.in_country(phones.parse_phone(context.to_number).country)
        except phones.PhoneError:
            pass
    return "for this lead's country"

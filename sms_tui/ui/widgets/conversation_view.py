"""What the conversation pane shows of one lead: its header and its messages (plain data).

Built by `ui.loaders` in a thread worker and handed to `Conversation.show`; no Textual here
(contract `ui-logic-plain`), so the loaders run and are tested without a screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sms_tui.core.models import Message


@dataclass(frozen=True, slots=True)
class LeadHeader:
    """What the pane's header says about the lead (built by the screen from the store)."""

    lead_id: str
    name: str
    contact_name: str = ""
    number: str = ""  # formatted for reading
    country: str = ""
    line_type: str = ""
    local_time: str = ""  # the recipient's clock, e.g. "09:12 EST"
    opted_out: bool = False
    do_not_text: bool = False
    note: str = ""  # e.g. "no number we can text"


@dataclass(frozen=True, slots=True)
class ConversationView:
    header: LeadHeader
    messages: Sequence[Message]
    more_before: bool = False

"""Which of the organization's numbers the rep may text from (Close's rules, provider-api.md §a.12, §f).

A number can send when it is Close's own or the org's (`internal`, or `virtual` BYOC), not
`external` (caller id only), `sms_enabled`, and either the rep's own (`user_id`) or a group number
whose `participants` include the rep. A colleague's personal number is never the rep's to use.
"""

from __future__ import annotations

from collections.abc import Iterable

from sms_tui.provider import models as wire

SENDING_TYPES = frozenset({"internal", "virtual"})


def may_send_from(number: wire.PhoneNumber, me_id: str) -> bool:
    if number.type not in SENDING_TYPES or not number.sms_enabled:
        return False
    if number.is_group_number:
        return me_id in number.participants
    return number.user_id == me_id


def usable_numbers(numbers: Iterable[wire.PhoneNumber], me_id: str) -> list[wire.PhoneNumber]:
    return [n for n in numbers if may_send_from(n, me_id)]


def countries_of(number: wire.PhoneNumber) -> frozenset[str]:
    """Where a number can text: `supports_sms_to_countries`, else its own country."""
    listed = frozenset(c.upper() for c in number.supports_sms_to_countries)
    return listed or (frozenset({number.country.upper()}) if number.country else frozenset())

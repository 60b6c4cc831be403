"""The send guard and keyword rules.  CONTRACT STUB — being built.

check_send(*, text, to_number, from_number, opted_out, do_not_text, now, first_message,
           rules=DEFAULT_RULES) -> SendCheck
classify_keyword(text: str) -> Keyword | None      ("opt_out" | "opt_in" | "help")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Literal

from sms_tui.core.phones import DEFAULT_SMS_COUNTRIES

Keyword = Literal["opt_out", "opt_in", "help"]


@dataclass(frozen=True, slots=True)
class Issue:
    code: str  # opted_out, do_not_text, not_textable, empty, too_long, unrendered, quiet_hours, ...
    message: str  # a sentence a rep understands


@dataclass(frozen=True, slots=True)
class SendCheck:
    blocks: tuple[Issue, ...]
    warnings: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not self.blocks


@dataclass(frozen=True, slots=True)
class ComplianceRules:
    """Everything check_send is configured by (signature final, fields may grow)."""

    supported_countries: frozenset[str] = DEFAULT_SMS_COUNTRIES
    quiet_start: time = time(8, 0)  # sending allowed from (recipient local time)
    quiet_end: time = time(21, 0)  # sending allowed until (exclusive)
    shortener_domains: frozenset[str] = frozenset()
    max_segments: int = 3
    default_region: str = "US"
    windows: dict[str, object] = field(default_factory=dict)


DEFAULT_RULES = ComplianceRules()


def check_send(
    *,
    text: str,
    to_number: str,
    from_number: str,
    opted_out: bool,
    do_not_text: bool,
    now: datetime,
    first_message: bool,
    rules: ComplianceRules = DEFAULT_RULES,
    sender_names: Sequence[str] = (),
) -> SendCheck:
    raise NotImplementedError


def classify_keyword(text: str) -> Keyword | None:
    raise NotImplementedError

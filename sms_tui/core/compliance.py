"""The send guard and keyword rules.  CONTRACT STUB — being built.

check_send(*, text, to_number, from_number, opted_out, do_not_text, now, first_message,
           rules=DEFAULT_RULES) -> SendCheck
classify_keyword(text: str) -> Keyword | None      ("opt_out" | "opt_in" | "help")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


def classify_keyword(text: str) -> Keyword | None:
    raise NotImplementedError

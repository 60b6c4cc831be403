"""Close-style SMS templates.  CONTRACT STUB — being built.

render(template: str, context: Mapping[str, Mapping[str, str | None]]) -> Rendered
context = {"contact": {"first_name": ...}, "lead": {"display_name": ...},
           "user": {"first_name": ...}, "organization": {"name": ...}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # known variables with no value (and no default), e.g. "contact.first_name"
    unknown: tuple[str, ...]  # variables we do not know, e.g. "contact.shoe_size"

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unknown


def render(template: str, context: Mapping[str, Mapping[str, str | None]]) -> Rendered:
    raise NotImplementedError

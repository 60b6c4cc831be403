"""Close-style SMS templates: ``{{ contact.first_name }}`` and our ``|default:"…"`` extension.

render(template, context) -> Rendered
has_unrendered(text) -> bool          (used by the send guard)
template_context(contact_first_name=..., ...) -> context dict

Close documents the tags ``contact.first_name``, ``contact.last_name``, ``lead.display_name``,
``user.first_name``, ``user.last_name``, ``user.email``, ``user.phone`` and ``organization.name``
(provider-api.md §d). It documents no fallback syntax, so ``{{ contact.first_name|default:"there" }}``
is our own extension: Close's server-side rendering may not honour it, hence ``Rendered.defaulted`` /
``uses_default_filter`` so the UI can warn.

Rules, chosen so that the text we send never carries raw braces by accident:
- a known variable with no value (None, empty or blank) and no default renders as "" and is listed
  in ``missing``;
- an unknown variable (well-formed, but neither documented nor present in the context) renders as ""
  and is listed in ``unknown``;
- anything else that starts with ``{{`` (no closing ``}}``, or junk inside such as ``{{ hi there }}``)
  is left in the text *literally* and listed in ``malformed``: ``has_unrendered`` then sees it and the
  send guard blocks the message until the rep fixes it, rather than us guessing what was meant;
- so ``Rendered.unrendered == has_unrendered(Rendered.text)`` always (a stray ``}}`` or a value that
  holds braces is reported in ``malformed`` too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

Context = Mapping[str, Mapping[str, str | None]]

#: The variables Close documents for SMS templates.
KNOWN_VARIABLES: frozenset[str] = frozenset(
    {
        "contact.first_name",
        "contact.last_name",
        "lead.display_name",
        "user.first_name",
        "user.last_name",
        "user.email",
        "user.phone",
        "organization.name",
    }
)

# One tag body: a dotted lower-case path, optionally |default:"…" (or '…'), spaces allowed around parts.
_TAG_BODY = re.compile(
    r"""\s*
    (?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
    \s*
    (?:\|\s*default\s*:\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*)?
    """,
    re.VERBOSE,
)
_UNRENDERED = re.compile(r"\{\{|\}\}|\{%|%\}")


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # known variables with no value (and no default), e.g. "contact.first_name"
    unknown: tuple[str, ...]  # variables we do not know, e.g. "contact.shoe_size"
    malformed: tuple[str, ...] = ()  # template syntax left in the text as typed, e.g. "{{ contact.first"
    defaulted: tuple[str, ...] = ()  # variables whose |default:"…" was used
    uses_default_filter: bool = False  # the template has |default: (our extension; Close may not honour it)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unknown and not self.malformed

    @property
    def unrendered(self) -> bool:
        """True when template syntax is still in the text: the send guard will block it."""
        return bool(self.malformed)


def render(template: str, context: Context) -> Rendered:
    """Fill the template's tags from ``context`` ({"contact": {...}, "lead": {...}, ...})."""
    out: list[str] = []
    missing: list[str] = []
    unknown: list[str] = []
    malformed: list[str] = []
    defaulted: list[str] = []
    uses_default = False
    pos = 0
    while True:
        start = template.find("{{", pos)
        if start < 0:
            out.append(template[pos:])
            break
        out.append(template[pos:start])
        end = template.find("}}", start + 2)
        if end < 0:
            malformed.append(template[start:])
            out.append(template[start:])
            break
        nested = template.find("{{", start + 2, end)
        if nested >= 0:  # "{{ a {{ b }}": the first opener never closes
            malformed.append(template[start:nested])
            out.append(template[start:nested])
            pos = nested
            continue
        tag = template[start : end + 2]
        match = _TAG_BODY.fullmatch(template, start + 2, end)
        pos = end + 2
        if match is None:
            malformed.append(tag)
            out.append(tag)
            continue
        path = match["path"].lower()
        default = match["dq"] if match["dq"] is not None else match["sq"]
        uses_default = uses_default or default is not None
        value = _lookup(context, path)
        if value is None and path not in KNOWN_VARIABLES and not _has_key(context, path):
            _add(unknown, path)
            out.append(default or "")
            continue
        if value is not None and value.strip():
            out.append(value)
        elif default is not None:
            _add(defaulted, path)
            out.append(default)
        else:
            _add(missing, path)
    text = "".join(out)
    if not malformed:
        malformed += _stray_syntax(text)
    return Rendered(
        text=text,
        missing=tuple(missing),
        unknown=tuple(unknown),
        malformed=tuple(malformed),
        defaulted=tuple(defaulted),
        uses_default_filter=uses_default,
    )


def _stray_syntax(text: str) -> list[str]:
    """Stray "}}" / "{%" in the plain text, or a value that itself holds braces, with some context:
    reported too, so that `unrendered` always agrees with has_unrendered(text) and the send guard."""
    stray = _UNRENDERED.search(text)
    return [] if stray is None else [text[max(0, stray.start() - 10) : stray.end() + 10]]


def has_unrendered(text: str) -> bool:
    """Does ``text`` still hold template syntax (``{{``, ``}}``, ``{%``, ``%}``)?

    Deliberately broad: no real SMS needs those pairs, and a half-rendered tag sent to a lead
    ("Hi {{ contact.first_name,") is worse than asking the rep to remove a stray brace.
    """
    return _UNRENDERED.search(text) is not None


def variables(template: str) -> tuple[str, ...]:
    """The well-formed variable paths a template uses, in order, without duplicates."""
    found: list[str] = []
    for m in re.finditer(r"\{\{(.*?)\}\}", template, re.DOTALL):
        body = _TAG_BODY.fullmatch(m.group(1))
        if body is not None:
            _add(found, body["path"].lower())
    return tuple(found)


def template_context(
    *,
    contact_first_name: str | None = None,
    contact_last_name: str | None = None,
    lead_display_name: str | None = None,
    user_first_name: str | None = None,
    user_last_name: str | None = None,
    user_email: str | None = None,
    user_phone: str | None = None,
    organization_name: str | None = None,
) -> dict[str, dict[str, str | None]]:
    """The context ``render`` expects, from plain values (None = unknown)."""
    return {
        "contact": {"first_name": contact_first_name, "last_name": contact_last_name},
        "lead": {"display_name": lead_display_name},
        "user": {
            "first_name": user_first_name,
            "last_name": user_last_name,
            "email": user_email,
            "phone": user_phone,
        },
        "organization": {"name": organization_name},
    }


def _split(path: str) -> tuple[str, str]:
    head, _, rest = path.partition(".")
    return head, rest


def _lookup(context: Context, path: str) -> str | None:
    head, rest = _split(path)
    section = context.get(head)
    if section is None:
        return None
    value = section.get(rest)
    return None if value is None else str(value)


def _has_key(context: Context, path: str) -> bool:
    head, rest = _split(path)
    section = context.get(head)
    return section is not None and rest in section


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)

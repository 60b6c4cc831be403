"""Applying provider SMS to the cache, the same way on every path (first sync, poll, catch-up).

Besides the upsert, every path derives the opt-out state of the phones involved: the latest of an
inbound STOP/START keyword or a provider refusal for an unsubscribed recipient (Twilio 21610 in an
`error_message`) wins, per phone. Phones whose latest word is an opt-out are returned, so that the
engine cancels what is scheduled to them on the provider.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sms_tui.core.compliance import classify_keyword
from sms_tui.core.models import Message
from sms_tui.provider import models as wire
from sms_tui.sync.cache import SyncCache

#: Twilio's code for "the recipient unsubscribed" (the carrier refused the text).
OPT_OUT_CODE = "21610"


@dataclass
class Applied:
    changed_lead_ids: set[str] = field(default_factory=set)
    new_inbound: list[Message] = field(default_factory=list)
    #: phones whose latest word is an opt-out (their scheduled messages must not go)
    opt_outs: list[str] = field(default_factory=list)

    def merge(self, other: Applied) -> None:
        self.changed_lead_ids |= other.changed_lead_ids
        self.new_inbound.extend(other.new_inbound)
        self.opt_outs.extend(p for p in other.opt_outs if p not in self.opt_outs)


Word = tuple[datetime, bool]  # when, opted out


def apply_sms(
    cache: SyncCache,
    items: Sequence[wire.Sms],
    *,
    history: bool = False,
    words: dict[str, Word] | None = None,
) -> Applied:
    """Upsert `items` (one transaction) and record the opt-outs they carry.

    `history` (first sync): every keyword in the items counts and replies are stored read. Otherwise
    only replies the cache did not have count, so a re-scan never replays an old STOP. With `words`,
    the opt-out words are collected there (the first sync reads pages newest first and decides per
    phone at the end, with `apply_words`) instead of being applied now.
    """
    done = Applied()
    if not items:
        return done
    merged = cache.save_sms(items, history=history)
    done.changed_lead_ids |= merged.changed_lead_ids
    done.new_inbound.extend(merged.new_inbound)
    collect = words if words is not None else {}
    _collect(collect, items, merged.new_inbound, history=history)
    if words is None:
        done.merge(apply_words(cache, collect))
    return done


def _collect(
    words: dict[str, Word], items: Sequence[wire.Sms], new_inbound: Sequence[Message], *, history: bool
) -> None:
    if history:
        _note(words, ((s.remote_phone, s.text, s.date_created) for s in items if s.direction == "inbound"))
    else:
        _note(words, ((m.remote_phone, m.text, m.date_created) for m in new_inbound))
    for sms in items:
        if sms.status == "error" and sms.remote_phone and OPT_OUT_CODE in (sms.error_message or ""):
            _keep_latest(words, sms.remote_phone, (sms.date_updated, True))


def apply_words(cache: SyncCache, words: dict[str, Word]) -> Applied:
    """Record each phone's latest word; the phones that opted out are in `opt_outs`."""
    done = Applied()
    for phone, (when, opted_out) in sorted(words.items()):
        done.changed_lead_ids |= cache.set_opted_out(phone, opted_out, when)
        if opted_out:
            done.opt_outs.append(phone)
    return done


def _note(words: dict[str, Word], replies: Iterable[tuple[str | None, str, datetime | None]]) -> None:
    for phone, text, when in replies:
        if not phone or when is None:
            continue
        kind = classify_keyword(text)
        if kind in ("opt_out", "opt_in"):
            _keep_latest(words, phone, (when, kind == "opt_out"))


def _keep_latest(words: dict[str, Word], phone: str, word: Word) -> None:
    held = words.get(phone)
    if held is None or word[0] >= held[0]:
        words[phone] = word

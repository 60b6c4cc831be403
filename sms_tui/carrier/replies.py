"""What leads text back: realistic replies, plus the carrier's standard keyword auto-replies.

A small share of replies carry text that looks like Rich markup or ANSI escapes, as real
inboxes do, so every client has to treat inbound text as data.
"""

from __future__ import annotations

import random

#: Standard auto-replies of Twilio-based carriers (as quoted by their vendors).
STOP_REPLY = (
    "You have successfully been unsubscribed. You will not receive any more messages from this number. "
    "Reply START to resubscribe."
)
START_REPLY = (
    "You have successfully been re-subscribed to messages from this number. Reply HELP for help. "
    "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)
HELP_REPLY = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."

QUESTIONS = (
    "What's the price for the starter plan?",
    "Can you send me more info by email?",
    "Who is this?",
    "Is there a contract or is it month to month?",
    "Does it work with Salesforce?",
    "Can we do a call Thursday afternoon instead?",
    "How long does setup usually take?",
    "Do you have a case study for a company our size?",
    "What time works for you tomorrow?",
    "Sorry, which company did you say you're with?",
)
YESES = ("Yes", "Yes please", "Sure", "ok", "Sounds good", "yep", "Yes, that works", "Perfect, thanks!", "Y")
NOES = (
    "Not interested, thanks",
    "We already use another vendor",
    "Maybe next quarter",
    "Please call me instead",
    "Busy this week, ping me Monday",
)
EMOJI = ("👍", "Thanks! 🙏", "Sounds great 😀", "🔥🔥", "Can't wait 🎉", "ok 👌 see you then", "Got it ✅")
MARKUP = (
    "[bold]URGENT[/bold] call me back",
    "my code is [red]1234[/]",
    "see [link=http://example.com]this[/link]",
    "prices are [/] too high lol",
    "[b]yes[/b] please",
)
ANSI = ("\x1b[31mhello\x1b[0m", "test \x1b[1mbold\x1b[0m reply", "\x1b[2J\x1b[Hcleared your screen?")
STOP_WORDS = ("STOP", "Stop", "stop", "UNSUBSCRIBE")
START_WORDS = ("START", "Start", "UNSTOP")
HELP_WORDS = ("HELP", "help")

_WEIGHTED: tuple[tuple[tuple[str, ...], int], ...] = (
    (QUESTIONS, 28),
    (YESES, 24),
    (NOES, 12),
    (EMOJI, 14),
    (MARKUP, 6),
    (ANSI, 4),
    (STOP_WORDS, 7),
    (HELP_WORDS, 5),
)


def pick_reply(rng: random.Random) -> str:
    """A reply a lead might send, drawn with realistic weights."""
    pools = [p for p, _ in _WEIGHTED]
    weights = [w for _, w in _WEIGHTED]
    pool = rng.choices(pools, weights=weights, k=1)[0]
    return rng.choice(pool)


def is_stop_word(text: str) -> bool:
    return text in STOP_WORDS


def pick_reply_safe(rng: random.Random) -> str:
    """A reply that is not a keyword (for histories, where keywords are placed on purpose)."""
    while True:
        text = pick_reply(rng)
        if text not in STOP_WORDS and text not in HELP_WORDS and text not in YESES[:1]:
            return text

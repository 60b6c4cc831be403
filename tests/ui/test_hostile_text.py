"""`ui.text.safe`, the one safe path: what it makes visible, and what it leaves alone."""

from __future__ import annotations

from textual.content import Content

from sms_tui.ui.text import MAX_MARKS, editor_line, safe, safe_content
from tests.ui.hostile import CORPUS, FORBIDDEN


def test_every_corpus_item_comes_out_without_a_forbidden_sequence() -> None:
    for item in CORPUS:
        for shown in (safe(item), safe(item, one_line=True), editor_line(item)):
            assert not [seq for seq in FORBIDDEN if seq in shown], repr(item)


def test_escape_introducers_become_pictures_and_the_rest_stays_readable() -> None:
    assert safe("a\x1b]52;c;aGk=\x07b") == "a␛]52;c;aGk=␇b"
    assert safe("x\x9b31m") == "x\\x9b31m"
    assert safe("NUL\x00") == "NUL␀"


def test_bidi_and_zero_width_characters_are_named() -> None:
    assert safe("bidi \u202eexe.txt\u202c") == "bidi ⟨RLO⟩exe.txt⟨PDF⟩"
    assert safe("\u2066a\u2069 \u200b\ufeff") == "⟨LRI⟩a⟨PDI⟩ ⟨ZWSP⟩⟨BOM⟩"


def test_emoji_sequences_and_ordinary_scripts_are_untouched() -> None:
    for text in ("👩\u200d💻 done", "Grüße, Zoë", "שלום", "こんにちは", "Việt Nam", "👍🏽", "[b]hi[/b]"):
        assert safe(text) == text


def test_a_combining_tower_is_cut_and_says_how_much() -> None:
    shown = safe("e" + "\u0301" * 100)
    assert shown == "e" + "\u0301" * MAX_MARKS + f"⟨+{100 - MAX_MARKS} marks⟩"


def test_lone_surrogates_become_the_replacement_character() -> None:
    assert safe("a\ud800b") == "a\ufffdb"


def test_editor_line_keeps_one_character_per_character() -> None:
    for item in CORPUS:
        assert len(editor_line(item)) == len(item)


def test_safe_content_is_never_markup() -> None:
    content = safe_content(safe("[bold]Bob[/] [link=x]y[/link]"))
    assert isinstance(content, Content)
    assert content.plain == "[bold]Bob[/] [link=x]y[/link]"

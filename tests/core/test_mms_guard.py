"""The composer's MMS guard on top of the pure rules: every refused file named, then count, country
and size; the counter's summary and the cost difference; a file's type from its name."""

from __future__ import annotations

from decimal import Decimal

from sms_tui.core.mms import (
    DEFAULT_MMS_RULES,
    MmsRules,
    check_attachments,
    content_type_for,
    cost_difference,
    icon,
    max_bytes,
    money,
    number_label,
    summary,
)
from sms_tui.core.models import Attachment

US, TOLL_FREE, GB = "+14155550100", "+18005550199", "+447400123456"
LEAD = "+13125550123"


def photo(size: int, name: str = "roof.jpg", content_type: str = "image/jpeg") -> Attachment:
    return Attachment(name, content_type, size, local_path=f"/tmp/{name}")


def test_a_file_that_fits_passes_and_nothing_attached_is_no_issue() -> None:
    assert check_attachments([photo(400 * 1024)], from_number=US, to_number=LEAD) == ()
    assert check_attachments([], from_number=US, to_number=GB) == ()


def test_the_limit_follows_the_sending_number() -> None:
    big = [photo(800 * 1024)]
    [issue] = check_attachments(big, from_number=US, to_number=LEAD)
    assert issue.code == "mms_too_large"
    assert issue.message == (
        "The attachments weigh 800 KB; carriers accept at most 600 KB from a local number. "
        "Shrink the image or send a smaller file."
    )
    assert check_attachments(big, from_number=TOLL_FREE, to_number=LEAD) == ()
    assert (max_bytes(US), max_bytes(TOLL_FREE)) == (600 * 1024, 1024 * 1024)
    assert (number_label(US), number_label(TOLL_FREE)) == ("a local number", "a toll-free number")


def test_every_refused_type_is_named_safely_and_the_country_is_still_judged() -> None:
    files = [
        photo(10, "setup.exe", "application/x-msdownload"),
        photo(10, "a\x1b[31m.zip", "application/zip"),
    ]
    issues = check_attachments(files, from_number=US, to_number=GB)
    assert [i.code for i in issues] == ["mms_type", "mms_type", "mms_country_unsupported"]
    assert issues[0].message.startswith("setup.exe (application/x-msdownload) cannot be sent by MMS: ")
    assert "\x1b" not in issues[1].message and issues[1].message.startswith("a␛[31m.zip (application/zip)")


def test_the_rep_s_country_list_replaces_the_default() -> None:
    assert check_attachments([photo(10)], from_number="+442071838750", to_number=GB) != ()
    rules = MmsRules(countries=frozenset({"US", "CA", "GB"}))
    assert check_attachments([photo(10)], from_number="+442071838750", to_number=GB, rules=rules) == ()
    assert DEFAULT_MMS_RULES.countries == frozenset({"US", "CA"})


def test_eleven_files_are_too_many() -> None:
    [issue] = check_attachments([photo(10)] * 11, from_number=US, to_number=LEAD)
    assert issue.message == "An MMS carries at most 10 attachments; this one has 11."


def test_summary_and_cost_difference() -> None:
    assert summary([photo(412 * 1024)]) == "MMS · 1 attachment · 412 KB"
    assert summary([photo(1024), photo(2048)]) == "MMS · 2 attachments · 3 KB"
    assert cost_difference(1) == Decimal("0.02")  # the fake carrier's prices: 3 cents vs 1 a segment
    assert cost_difference(4) == Decimal("-0.01")  # four segments cost more than one MMS
    assert money(Decimal("0.02")) == "$0.02"
    assert money(Decimal("0.0121")) == "$0.0121"  # a configured price with fractions of a cent


def test_type_from_the_name_and_icon_by_kind() -> None:
    assert content_type_for("Roof.JPG") == "image/jpeg"
    assert content_type_for("card.vcf") == "text/vcard"
    assert content_type_for("notes") == ""
    assert [
        icon(t) for t in ("image/png", "video/mp4", "application/pdf", "text/vcard", "application/zip")
    ] == [
        "📷",
        "🎬",
        "📄",
        "📇",
        "📎",
    ]

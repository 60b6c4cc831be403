"""The pure MMS rules: Close's content types, kinds for search, number kinds, the send check."""

from __future__ import annotations

import pytest

from sms_tui.core.mms import (
    CLOSE_CONTENT_TYPES,
    canonical_type,
    check_mms,
    kind_of,
    number_kind,
    size_text,
)

US, US2, TOLL_FREE, GB, GB2 = "+16503334444", "+14155550123", "+18005550199", "+442071838750", "+447400123456"


def test_close_types_are_accepted_in_any_case_and_others_are_not() -> None:
    assert len(CLOSE_CONTENT_TYPES) == 40
    assert canonical_type("IMAGE/JPEG") == "image/jpeg"
    assert canonical_type("video/h264") == "video/H264"
    assert canonical_type("text/vcard; charset=utf-8") == "text/vcard"
    assert canonical_type("image/webp") is None and canonical_type("application/zip") is None


@pytest.mark.parametrize(
    ("ctype", "kind"),
    [("image/png", "image"), ("video/mp4", "video"), ("audio/amr", "audio"), ("application/pdf", "pdf"),
     ("text/x-vcard", "contact"), ("text/calendar", "calendar"), ("text/csv", "document"),
     ("application/zip", "file")],
)  # fmt: skip
def test_kinds(ctype: str, kind: str) -> None:
    assert kind_of(ctype) == kind


def test_number_kinds_and_sizes() -> None:
    assert number_kind(US) == "long_code" and number_kind(TOLL_FREE) == "toll_free"
    assert number_kind("12345") == "short_code"
    assert [size_text(n) for n in (950, 421_888, 1_258_291)] == ["950 bytes", "412 KB", "1.2 MB"]


def test_the_check_says_what_is_wrong_in_a_sentence() -> None:
    assert check_mms(US, US2, []).ok
    assert check_mms(US, US2, [("image/jpeg", 400 * 1024)]).ok
    big = check_mms(US, US2, [("image/jpeg", 700 * 1024)])
    assert big.code == "too_large" and big.reason is not None
    assert "700 KB" in big.reason and "600 KB" in big.reason and "local number" in big.reason
    assert check_mms(TOLL_FREE, US2, [("image/jpeg", 700 * 1024)]).ok  # toll-free takes 1 MB
    assert check_mms(US, US2, [("image/jpeg", 700 * 1024)], limits={"long_code": 800 * 1024}).ok
    country = check_mms(GB, GB2, [("image/png", 10)])
    assert country.code == "country_unsupported" and "United Kingdom" in (country.reason or "")
    assert check_mms(GB, GB2, [("image/png", 10)], countries=frozenset({"GB"})).ok
    assert check_mms(US, US2, [("application/zip", 10)]).code == "type_unsupported"
    assert check_mms(US, US2, [("image/png", 10)] * 11).code == "too_many"

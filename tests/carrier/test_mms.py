"""MMS in the fake carrier: Close's Files API (signed upload form, the storage service's checks,
key-checked downloads), attachments on SMS in Close's shape, refusals with Twilio's codes, pricing,
inbound MMS on /_carrier/inbound and in the simulation."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
from PIL import Image

from sms_tui.carrier.files import SAMPLES, SAMPLES_DIR
from tests.carrier.conftest import KEY, ROOT, Carrier
from tests.carrier.test_schema import assert_conforms

ROOF = (SAMPLES_DIR / "roof.jpg").read_bytes()


async def upload_form(c: Carrier, filename: str = "roof.jpg", content_type: str = "image/jpeg") -> Any:
    r = await c.http.post("files/upload/", json={"filename": filename, "content_type": content_type})
    assert r.status_code == 200, r.text
    return r.json()


async def post_form(c: Carrier, form: Any, data: bytes, **override: str) -> httpx.Response:
    fields = form["upload"]["fields"] | override
    async with httpx.AsyncClient(transport=c.http._transport) as anonymous:  # the bucket needs no key
        return await anonymous.post(form["upload"]["url"], data=fields, files={"file": ("f", data)})


async def uploaded(
    c: Carrier, data: bytes = ROOF, filename: str = "roof.jpg", ctype: str = "image/jpeg"
) -> str:
    form = await upload_form(c, filename, ctype)
    r = await post_form(c, form, data)
    assert r.status_code == 201, r.text
    url: str = form["download"]["url"]
    return url


async def test_the_upload_form_is_closes_signed_s3_post(carrier: Carrier) -> None:
    form = await upload_form(carrier, "site photo.jpg")
    assert set(form) == {"upload", "download"}
    fields = form["upload"]["fields"]
    assert {"key", "policy", "signature", "AWSAccessKeyId", "Content-Type", "Content-Disposition"} <= set(
        fields
    )
    assert fields["Content-Type"] == "image/jpeg"
    assert fields["key"].startswith("temporary/user/user_") and fields["key"].endswith("/site photo.jpg")
    assert form["download"]["url"].startswith("http://carrier.test/go/file/temporary/")
    assert form["upload"]["url"] == "http://carrier.test/_storage/"
    r = await carrier.http.post("files/upload/", json={"filename": "x.jpg"})
    assert r.status_code == 400 and "content_type" in r.json()["field-errors"]


async def test_the_storage_service_enforces_the_signed_form(carrier: Carrier) -> None:
    form = await upload_form(carrier)
    tampered = await post_form(carrier, form, ROOF, **{"Content-Type": "application/pdf"})
    assert tampered.status_code == 403 and b"Policy Condition failed" in tampered.content
    forged = await post_form(carrier, form, ROOF, signature="AAAA")
    assert forged.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in forged.content
    extra = await post_form(carrier, form, ROOF, acl="public-read")
    assert extra.status_code == 403 and b"Extra input fields: acl" in extra.content
    await carrier.advance(61)  # the form is good for 60 seconds
    late = await post_form(carrier, form, ROOF)
    assert late.status_code == 403 and b"Policy expired" in late.content


async def test_an_upload_without_the_file_or_a_field_is_refused(carrier: Carrier) -> None:
    form = await upload_form(carrier)
    async with httpx.AsyncClient(transport=carrier.http._transport) as anonymous:
        no_file = await anonymous.post(
            form["upload"]["url"], data=form["upload"]["fields"], files={"x": ("a", b"")}
        )
        fields = {k: v for k, v in form["upload"]["fields"].items() if k != "key"}
        no_key = await anonymous.post(form["upload"]["url"], data=fields, files={"file": ("f", ROOF)})
    assert no_file.status_code == 400 and b"exactly one file" in no_file.content
    assert no_key.status_code == 400 and b"named 'key'" in no_key.content


async def test_an_mms_goes_out_with_closes_attachment_fields_and_costs_more(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    url = await uploaded(carrier)
    r = await carrier.post_sms(
        status="outbox", text="", contact_id=contact["id"],
        attachments=[{"url": url, "filename": "roof.jpg", "content_type": "image/jpeg"}],
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert_conforms(r.json(), "/activity/sms/", "post")
    [att] = r.json()["attachments"]
    assert att["size"] == len(ROOF) and att["content_type"] == "image/jpeg" and att["filename"] == "roof.jpg"
    assert att["media_id"].startswith("media_") and att["thumbnail_url"].endswith("/thumbnail.jpg/")
    await carrier.advance(10)
    sms = await carrier.sms(r.json()["id"])
    assert sms["status"] == "sent" and sms["cost"] == "3"  # a one-segment SMS costs "1"
    assert_conforms(sms, "/activity/sms/{id}/")


async def test_downloads_need_the_key_and_redirect_to_a_short_lived_signed_link(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    url = await uploaded(carrier)
    sms = await carrier.send(
        status="draft", contact_id=contact["id"],
        attachments=[{"url": url, "filename": "roof.jpg", "content_type": "image/jpeg"}],
    )  # fmt: skip
    att = sms["attachments"][0]
    async with httpx.AsyncClient(transport=carrier.http._transport) as anonymous:
        assert (await anonymous.get(att["url"])).status_code == 401
    r = await carrier.http.get(att["url"])
    assert r.status_code == 302
    link = r.headers["location"]
    assert KEY not in link and "Signature=" in link and "Expires=" in link
    async with httpx.AsyncClient(transport=carrier.http._transport) as anonymous:
        got = await anonymous.get(link)
        assert got.status_code == 200 and got.content == ROOF
        assert got.headers["content-type"] == "image/jpeg"
        forged = await anonymous.get(link.replace("Signature=", "Signature=x"))
        assert forged.status_code == 403
        await carrier.advance(301)
        expired = await anonymous.get(link)
        assert expired.status_code == 403 and b"Request has expired" in expired.content
    thumb = await carrier.http.get(att["thumbnail_url"], follow_redirects=True)
    with Image.open(io.BytesIO(thumb.content)) as img:
        assert img.format == "JPEG" and max(img.size) <= 320


@pytest.mark.parametrize(
    ("attachment", "says"),
    [
        ({"url": "http://carrier.test/go/file/temporary/nothing/x.jpg/", "filename": "x.jpg",
          "content_type": "image/jpeg"}, "no uploaded file"),
        ({"url": "UPLOADED", "filename": "tool.exe", "content_type": "application/x-msdownload"},
         "not one of the allowed types"),
    ],
)  # fmt: skip
async def test_attachments_that_close_refuses_are_a_400(
    carrier: Carrier, attachment: dict[str, str], says: str
) -> None:
    _, contact = await carrier.lead()
    if attachment["url"] == "UPLOADED":
        attachment = attachment | {"url": await uploaded(carrier)}
    r = await carrier.post_sms(status="outbox", text="hi", contact_id=contact["id"], attachments=[attachment])
    assert r.status_code == 400 and says in r.json()["field-errors"]["attachments"]


async def test_eleven_attachments_are_a_400(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    url = await uploaded(carrier)
    many = [{"url": url, "filename": "roof.jpg", "content_type": "image/jpeg"}] * 11
    r = await carrier.post_sms(status="draft", contact_id=contact["id"], attachments=many)
    assert r.status_code == 400 and "At most 10" in r.json()["field-errors"]["attachments"]


async def test_an_upload_expires_after_24_hours(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    url = await uploaded(carrier)
    await carrier.advance(24 * 3600 + 1)
    item = {"url": url, "filename": "roof.jpg", "content_type": "image/jpeg"}
    r = await carrier.post_sms(status="outbox", text="hi", contact_id=contact["id"], attachments=[item])
    assert r.status_code == 400


async def test_an_mms_over_the_long_code_limit_fails_with_twilio_30019(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    big = await uploaded(carrier, b"%PDF-1.4\n" + b"0" * 700 * 1024, "brochure.pdf", "application/pdf")
    item = {"url": big, "filename": "brochure.pdf", "content_type": "application/pdf"}
    sms = await carrier.send(
        status="outbox", text="our brochure", contact_id=contact["id"], attachments=[item]
    )
    await carrier.advance(10)
    failed = await carrier.sms(sms["id"])
    assert failed["status"] == "error" and failed["cost"] is None
    assert failed["error_message"].startswith('Error 30019 "Content size exceeds carrier limit": ')
    assert "700 KB" in failed["error_message"] and "600 KB" in failed["error_message"]
    await carrier.faults(mms_limit_long_code_kb=1024)  # the switch: a carrier that takes 1 MB
    again = await carrier.send(
        status="outbox", text="our brochure", contact_id=contact["id"], attachments=[item]
    )
    await carrier.advance(10)
    assert (await carrier.sms(again["id"]))["status"] == "sent"


async def test_mms_to_a_country_without_mms_fails_with_twilio_21612(carrier: Carrier) -> None:
    _, contact = await carrier.lead(country="GB")
    gb = await carrier.gb_number()
    url = await uploaded(carrier)
    item = {"url": url, "filename": "roof.jpg", "content_type": "image/jpeg"}
    sms = await carrier.send(
        status="outbox", text="photo", contact_id=contact["id"], local_phone=gb, attachments=[item]
    )
    await carrier.advance(10)
    failed = await carrier.sms(sms["id"])
    assert failed["status"] == "error" and failed["error_message"].startswith("Error 21612 ")
    plain = await carrier.send(
        status="outbox", text="photo to follow", contact_id=contact["id"], local_phone=gb
    )
    await carrier.advance(10)
    assert (await carrier.sms(plain["id"]))["status"] == "sent"  # the same route takes a plain SMS


async def test_an_inbound_mms_carries_a_sample_and_a_custom_file(carrier: Carrier) -> None:
    us = await carrier.us_number()
    _, contact = await carrier.lead()
    pixel = io.BytesIO()
    Image.new("RGB", (2, 2), (255, 0, 0)).save(pixel, "PNG")
    r = await carrier.http.post(
        ROOT + "_carrier/inbound",
        json={
            "from": contact["phones"][0]["phone"], "to": us, "text": "here you go",
            "media": ["roof.jpg", "signed-form.pdf",
                      {"filename": "dot.png", "content_type": "image/png",
                       "data": base64.b64encode(pixel.getvalue()).decode()}],
        },
    )  # fmt: skip
    assert r.status_code == 200, r.text
    atts = r.json()["attachments"]
    assert [(a["filename"], a["content_type"]) for a in atts] == [
        ("roof.jpg", "image/jpeg"),
        ("signed-form.pdf", "application/pdf"),
        ("dot.png", "image/png"),
    ]
    assert "thumbnail_url" in atts[0] and "thumbnail_url" not in atts[1]
    assert_conforms(await carrier.sms(r.json()["id"]), "/activity/sms/{id}/")
    pdf = await carrier.http.get(atts[1]["url"], follow_redirects=True)
    assert pdf.content == (SAMPLES_DIR / "signed-form.pdf").read_bytes()


async def test_inbound_media_only_and_bad_media(carrier: Carrier) -> None:
    us = await carrier.us_number()
    _, contact = await carrier.lead()
    phone = contact["phones"][0]["phone"]
    only = await carrier.http.post(
        ROOT + "_carrier/inbound", json={"from": phone, "to": us, "media": ["smile.gif"]}
    )
    assert only.status_code == 200 and only.json()["text"] == ""
    bad = await carrier.http.post(
        ROOT + "_carrier/inbound", json={"from": phone, "to": us, "media": ["nope.jpg"]}
    )
    assert bad.status_code == 400 and "roof.jpg" in bad.json()["field-errors"]["media"]


async def test_simulated_leads_reply_with_pictures_at_the_mms_rate(carrier: Carrier) -> None:
    await carrier.faults(reply_rate=1, mms_reply_rate=1)
    _, contact = await carrier.lead()
    await carrier.send(status="outbox", text="Can you send a photo of the damage?", contact_id=contact["id"])
    await carrier.advance(120)
    replies = [s for s in (await carrier.state(lead_id=contact["lead_id"]))["sms"] if s["status"] == "inbox"]
    assert replies and replies[-1]["attachments"][0]["filename"] in SAMPLES


async def test_the_samples_are_what_their_names_say() -> None:
    for name, ctype in SAMPLES.items():
        data = (SAMPLES_DIR / name).read_bytes()
        assert 0 < len(data) < 20_000
        if ctype.startswith("image/"):
            with Image.open(io.BytesIO(data)) as img:
                assert Image.MIME[img.format or ""] == ctype
        else:
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


async def test_templates_carry_their_files_when_asked(carrier: Carrier) -> None:
    plain = await carrier.get("sms_template/")
    assert all("attachments" not in t and "_x_sample_attachments" not in t for t in plain["data"])
    full = await carrier.get("sms_template/", include_attachments="true")
    assert_conforms(full, "/sms_template/")
    intro = next(t for t in full["data"] if t["name"] == "Intro")
    [flyer] = intro["attachments"]
    assert (flyer["filename"], flyer["content_type"]) == ("flyer.png", "image/png") and flyer["thumbnail_url"]
    assert flyer["url"].startswith("http://carrier.test/go/file/media/")  # made at build, served on this host
    again = await carrier.get(f"sms_template/{intro['id']}/", include_attachments="true")
    assert again["attachments"] == [flyer]  # the same file each time
    got = await carrier.http.get(flyer["url"], follow_redirects=True)
    assert got.content == (SAMPLES_DIR / "flyer.png").read_bytes()
    _, contact = await carrier.lead()
    item = {k: flyer[k] for k in ("url", "filename", "content_type")}
    sms = await carrier.send(status="outbox", text="our flyer", contact_id=contact["id"], attachments=[item])
    assert sms["attachments"][0]["media_id"] != flyer["media_id"]  # the SMS gets its own media

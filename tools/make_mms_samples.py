"""Draw the fake carrier's sample MMS media (sms_tui/carrier/samples/), deterministically.

Run by hand (`python tools/make_mms_samples.py`) when a sample should change; the files are committed
so every install serves the same bytes (a half-block snapshot of an inbound photo stays stable).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "sms_tui" / "carrier" / "samples"


def roof() -> Image.Image:
    """A house roof against the sky, with a missing shingle patch (what a lead photographs)."""
    img = Image.new("RGB", (320, 240))
    draw = ImageDraw.Draw(img)
    for y in range(240):  # sky, light to deep blue
        draw.line([(0, y), (319, y)], fill=(120 + y // 4, 170 + y // 6, 235))
    draw.rectangle([0, 200, 319, 239], fill=(70, 140, 60))  # lawn
    draw.rectangle([60, 130, 260, 210], fill=(225, 215, 190))  # wall
    draw.polygon([(40, 135), (160, 50), (280, 135)], fill=(150, 60, 45))  # roof
    for row in range(6):  # shingle lines
        y = 60 + row * 13
        draw.line([(160 - (y - 50) * 1.4, y), (160 + (y - 50) * 1.4, y)], fill=(110, 40, 30), width=2)
    draw.polygon([(170, 80), (205, 92), (195, 112), (165, 104)], fill=(60, 55, 50))  # the damage
    draw.rectangle([140, 160, 180, 210], fill=(90, 60, 40))  # door
    draw.ellipse([250, 20, 295, 65], fill=(255, 230, 120))  # sun
    return img


def part() -> Image.Image:
    """A broken gear on a workbench."""
    img = Image.new("RGB", (200, 150), (190, 160, 120))
    draw = ImageDraw.Draw(img)
    draw.ellipse([50, 25, 150, 125], fill=(150, 155, 165), outline=(60, 60, 70), width=3)
    for i in range(8):
        x = 100 + int(55 * [1, 0.7, 0, -0.7, -1, -0.7, 0, 0.7][i])
        y = 75 + int(55 * [0, 0.7, 1, 0.7, 0, -0.7, -1, -0.7][i])
        draw.rectangle([x - 7, y - 7, x + 7, y + 7], fill=(150, 155, 165))
    draw.ellipse([85, 60, 115, 90], fill=(190, 160, 120))
    draw.line([(100, 25), (120, 75), (105, 125)], fill=(30, 30, 30), width=3)  # the crack
    return img


def smile() -> Image.Image:
    img = Image.new("P", (64, 64), 0)
    img.putpalette([255, 255, 255, 250, 200, 40, 40, 30, 20] + [0] * (256 * 3 - 9))
    draw = ImageDraw.Draw(img)
    draw.ellipse([4, 4, 59, 59], fill=1, outline=2, width=2)
    draw.ellipse([20, 20, 27, 28], fill=2)
    draw.ellipse([37, 20, 44, 28], fill=2)
    draw.arc([16, 24, 48, 50], 20, 160, fill=2, width=3)
    return img


def flyer() -> Image.Image:
    """The demo organization's flyer (the "Intro" template carries it): a sun over solar panels."""
    img = Image.new("RGB", (240, 320), (255, 248, 230))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, 239, 60], fill=(245, 150, 40))
    draw.text((16, 14), "SUNRISE SOLAR", fill=(255, 255, 255))
    draw.text((16, 34), "Cut your energy bill", fill=(255, 255, 255))
    draw.ellipse([150, 80, 220, 150], fill=(255, 210, 60))
    for row in range(3):
        for col in range(4):
            x, y = 20 + col * 52, 170 + row * 36
            draw.polygon([(x, y + 30), (x + 10, y), (x + 50, y), (x + 40, y + 30)], fill=(40, 70, 130))
    draw.text((16, 290), "Free quote: reply YES", fill=(60, 60, 60))
    return img


def pdf(text_lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of Helvetica (hand-built, valid xref)."""
    stream = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join(f"({t}) '" for t in text_lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    roof().save(OUT / "roof.jpg", "JPEG", quality=80, optimize=True)
    part().save(OUT / "part.png", "PNG", optimize=True)
    smile().save(OUT / "smile.gif", "GIF")
    flyer().save(OUT / "flyer.png", "PNG", optimize=True)
    lines = ["Service agreement", "Signed: Pat Doe", "Date: 2026-11-23", "Thank you for your business."]
    (OUT / "signed-form.pdf").write_bytes(pdf(lines))
    for f in sorted(OUT.iterdir()):
        print(f.name, f.stat().st_size)


if __name__ == "__main__":
    main()

"""Attachments judged by their bytes: the type comes from the content, never the name; photos
lose every trace of EXIF/GPS/XMP but keep their orientation; thumbnails; PDFs lose their
metadata; limits refuse with 422 and a reason (services/files/content.py)."""

import io

import pytest
from PIL import Image

from lianxin.errors import ValidationFailed
from services.files import content

LIMITS = content.Limits(max_bytes=2 * 1024 * 1024, max_pixels=4_000_000, thumbnail_px=320)


def jpeg_with_exif(size=(800, 600), orientation=None, color=(200, 30, 30)):
    image = Image.new("RGB", size, color)
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))  # a blue top-left corner
    exif = Image.Exif()
    exif[0x010F] = "WhistleCam"  # Make
    exif[0x0110] = "Model-Z 9000"  # Model
    exif[0x013B] = "Zhang San"  # Artist
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 9.1)}  # GPS
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"shot by Zhang San")
    return out.getvalue()


def png_with_text():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San")
    info.add_text("GPS", "31.23,121.47")
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 128, 0, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp_with_exif():
    exif = Image.Exif()
    exif[0x013B] = "Zhang San"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "orange").save(out, "WEBP", exif=exif.tobytes(), quality=80)
    return out.getvalue()


def pdf_with_metadata():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": "Zhang San", "/Creator": "ScanApp on Zhang's phone"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "maker, expected",
    [
        (jpeg_with_exif, "image/jpeg"),
        (png_with_text, "image/png"),
        (webp_with_exif, "image/webp"),
        (pdf_with_metadata, "application/pdf"),
    ],
)
def test_the_type_comes_from_the_bytes(maker, expected):
    assert content.sniff(maker()) == expected
    assert content.prepare(maker(), LIMITS).content_type == expected


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"MZ\x90\x00 an executable named photo.jpg",
        b"<html><body>photo</body></html>",
        b"PK\x03\x04 a zip named letter.pdf",
    ],
)
def test_anything_else_is_refused_whatever_its_name(data):
    with pytest.raises(ValidationFailed) as refused:
        content.prepare(data, LIMITS)
    assert refused.value.details["reason"] == "unsupported_type"
    assert refused.value.details["file"]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0 not really a jpeg",
        b"\x89PNG\r\n\x1a\n garbage after the signature",
        b"RIFF\x10\x00\x00\x00WEBPVP8 broken",
        b"%PDF-1.7\n this is no PDF at all",
    ],
)
def test_a_file_that_only_starts_right_is_refused_as_corrupt(data):
    with pytest.raises(ValidationFailed) as refused:
        content.prepare(data, LIMITS)
    assert refused.value.details["reason"] == "corrupt"


def test_a_truncated_photo_is_refused():
    data = jpeg_with_exif()
    with pytest.raises(ValidationFailed) as refused:
        content.prepare(data[: len(data) // 2], LIMITS)
    assert refused.value.details["reason"] == "corrupt"


def test_size_limits():
    with pytest.raises(ValidationFailed) as empty:
        content.prepare(b"", LIMITS)
    assert empty.value.details["reason"] == "empty"
    small = content.Limits(max_bytes=1000, max_pixels=LIMITS.max_pixels, thumbnail_px=320)
    with pytest.raises(ValidationFailed) as large:
        content.prepare(jpeg_with_exif(), small)
    assert large.value.details["reason"] == "too_large"


def test_too_many_pixels_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("L", (3000, 2000)).save(out, "PNG")  # 6 Mpx, a few KB compressed
    with pytest.raises(ValidationFailed) as refused:
        content.prepare(out.getvalue(), LIMITS)
    assert refused.value.details["reason"] == "too_many_pixels"


def _no_identifying_metadata(data):
    image = Image.open(io.BytesIO(data))
    assert len(image.getexif()) == 0
    for marker in (b"Exif", b"Zhang", b"WhistleCam", b"Model-Z", b"GPS", b"http://ns.adobe.com"):
        assert marker not in data, marker
    assert not {"exif", "xmp", "comment", "Author", "GPS"} & set(image.info)


@pytest.mark.parametrize("maker", [jpeg_with_exif, png_with_text, webp_with_exif])
def test_images_keep_no_exif_gps_or_text(maker):
    original = maker()
    assert b"Zhang" in original  # the test files do carry it
    prepared = content.prepare(original, LIMITS)
    _no_identifying_metadata(prepared.data)
    _no_identifying_metadata(prepared.thumbnail)


def test_the_orientation_is_applied_before_the_exif_goes():
    # orientation 6: the camera was turned; the picture must be shown turned 90° clockwise
    prepared = content.prepare(jpeg_with_exif(size=(800, 600), orientation=6), LIMITS)
    image = Image.open(io.BytesIO(prepared.data))
    assert image.size == (600, 800) == (prepared.width, prepared.height)
    r, g, b = image.convert("RGB").getpixel((590, 10))  # the blue corner is now top-right
    assert b > 150 and r < 100


def test_thumbnails_are_small_jpegs_of_the_picture():
    prepared = content.prepare(jpeg_with_exif(size=(1600, 1200)), LIMITS)
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) == 320 and thumb.size == (320, 240)
    assert len(prepared.thumbnail) < len(prepared.data)


def test_a_pdf_is_kept_without_its_author_or_xmp():
    original = pdf_with_metadata()
    assert b"Zhang" in original
    prepared = content.prepare(original, LIMITS)
    assert prepared.pages == 1 and prepared.thumbnail is None
    assert b"Zhang" not in prepared.data and b"ScanApp" not in prepared.data
    from pypdf import PdfReader

    assert not (PdfReader(io.BytesIO(prepared.data)).metadata or {}).get("/Author")


def test_an_encrypted_pdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationFailed) as refused:
        content.prepare(out.getvalue(), LIMITS)
    assert refused.value.details["reason"] == "encrypted"

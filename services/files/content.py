"""What a file is, judged by its bytes alone (never by its name or the type the client
claims), and the clean copy that is kept: images re-encoded from their pixels (no EXIF, GPS,
XMP, comments or maker notes survive) with a thumbnail, PDFs parsed and rewritten without
their document information and XMP metadata. Pure: bytes in, bytes out, errors as values."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from lianxin.errors import ValidationFailed

# content type → the extension a served file is named with
TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    thumbnail_px: int


@dataclass
class Prepared:
    """The file as it is kept: its type, the cleaned bytes, a thumbnail for an image."""

    content_type: str
    data: bytes
    thumbnail: bytes = None
    width: int = None
    height: int = None
    pages: int = None


def refuse(reason, message):
    """A file we do not keep: 422 with the reason (docs/contract.md §10 error shape)."""
    return ValidationFailed(message, {"file": [message], "reason": reason})


def sniff(data):
    """The content type the bytes say, or None: JPEG, PNG, WebP, PDF by their magic bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_size(size, limits):
    if size == 0:
        raise refuse("empty", "the file is empty")
    if size > limits.max_bytes:
        raise refuse("too_large", f"the file is larger than {limits.max_bytes // (1024 * 1024)} MB")


def prepare(data, limits):
    """The clean copy of an upload, or ValidationFailed saying why it is refused."""
    check_size(len(data), limits)
    content_type = sniff(data)
    if content_type is None:
        raise refuse("unsupported_type", "only JPEG, PNG, WebP photos and PDF documents are taken")
    if content_type == "application/pdf":
        return _prepare_pdf(data)
    return _prepare_image(data, content_type, limits)


def _prepare_image(data, content_type, limits):
    fmt = _PIL_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            if width * height > limits.max_pixels:
                raise refuse("too_many_pixels", "the image has too many pixels")
            image.load()  # a truncated or corrupt file fails here, not later
    except ValidationFailed:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise refuse("corrupt", "the file is not a readable image") from None
    # The camera's orientation is applied to the pixels before its EXIF goes.
    image = ImageOps.exif_transpose(image)
    clean = _pixels_only(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    elif fmt == "WEBP":
        has_alpha = clean.mode in ("RGBA", "LA", "PA")
        clean.convert("RGBA" if has_alpha else "RGB").save(out, "WEBP", quality=90)
    else:
        clean.save(out, "PNG")
    return Prepared(
        content_type,
        out.getvalue(),
        thumbnail=_thumbnail(clean, limits.thumbnail_px),
        width=clean.width,
        height=clean.height,
    )


def _pixels_only(image):
    """A copy carrying the pixels and nothing of the file's metadata (the palette's
    transparency stays: it is part of the picture)."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    elif image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette())
    clean.paste(image)
    return clean


def _thumbnail(image, px):
    thumb = image.convert("RGBA") if image.mode in ("LA", "P", "1") else image.copy()
    thumb.thumbnail((px, px))
    if thumb.mode == "RGBA":  # photos with transparency on white
        background = Image.new("RGB", thumb.size, "white")
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    out = io.BytesIO()
    thumb.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def _prepare_pdf(data):
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refuse("encrypted", "the PDF is protected by a password")
        pages = len(reader.pages)
        if pages == 0:
            raise refuse("corrupt", "the PDF has no pages")
        writer = PdfWriter(clone_from=reader)
        # The author, the producer, the creation tool and dates: identifying, so not kept.
        writer.metadata = None
        if "/Metadata" in writer.root_object:
            del writer.root_object["/Metadata"]
        out = io.BytesIO()
        writer.write(out)
    except ValidationFailed:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise refuse("corrupt", "the file is not a readable PDF") from None
    return Prepared("application/pdf", out.getvalue(), pages=pages)

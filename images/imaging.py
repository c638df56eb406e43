"""Validating and resizing a downloaded image into WebP variants (pure: Pillow, no Django import).

Untrusted bytes go through these gates, each refusing with a reason a person understands:
- at most `max_bytes` bytes;
- only JPEG, PNG, WebP and GIF are opened (Pillow tries no other decoder on our input);
- the declared size is checked before any pixel is decoded: at most `max_pixels` (a small file that
  declares a huge canvas is a decompression bomb), and Pillow's own bomb check is an error, not a warning;
- at most `max_frames` frames (an animation of many frames is a bomb of its own); only the first is used;
- truncated or corrupt data is an error (Pillow's `LOAD_TRUNCATED_IMAGES` stays off).

The output is stripped: the EXIF orientation is applied to the pixels, colours are converted to sRGB
when the image carries an ICC profile, and nothing else (EXIF, GPS, XMP, ICC, comments) is written.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
DEFAULT_WIDTHS = (160, 480, 1200)
DEFAULT_MAX_FRAMES = 200
WEBP_QUALITY = 82

# Formats we recognise only to name them in a refusal; their decoders are never run on our input.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
    (b"%PDF", 0, "PDF"),
    (b"8BPS", 0, "PSD"),
    (b"ftypavif", 4, "AVIF"),
    (b"ftypheic", 4, "HEIC"),
    (b"ftypheix", 4, "HEIC"),
    (b"ftypmif1", 4, "HEIF"),
    (b"\xff\x0a", 0, "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", 0, "JPEG XL"),
)


class ImageRejected(Exception):
    """An image we will not store; `reason` is for people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProcessedImage:
    format: str  # of the original: JPEG, PNG, WEBP or GIF
    width: int  # of the original as displayed (after its EXIF orientation)
    height: int
    content_hash: str  # sha256 of the original bytes
    byte_size: int
    # WebP bytes by the variant's real width in pixels ("160", "480", ...). Never upscaled: widths at
    # or above the original's give one variant at the original's width instead.
    variants: dict[str, bytes] = field(default_factory=dict)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process_image(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    widths: Iterable[int] = DEFAULT_WIDTHS,
    max_frames: int = DEFAULT_MAX_FRAMES,
) -> ProcessedImage:
    """Validate `data` and return its metadata and WebP variants; raises ImageRejected."""
    if len(data) > max_bytes:
        raise ImageRejected(f"The image is {len(data):,} bytes, over the limit of {max_bytes:,}.")
    if not data:
        raise ImageRejected("The response was empty, not an image.")
    wanted = sorted({int(w) for w in widths if int(w) > 0})
    if not wanted:
        raise ImageRejected("No variant widths are configured.")
    # Process-wide, but every caller in a process uses the same limit; the explicit check below
    # is the exact one, Pillow's (raised at twice the limit, warned above it) is the backstop.
    Image.MAX_IMAGE_PIXELS = max_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _process(data, max_pixels=max_pixels, widths=wanted, max_frames=max_frames)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected(
                f"The image declares too many pixels (over {max_pixels:,}): a decompression bomb? ({exc})"
            ) from exc
        except UnidentifiedImageError as exc:
            raise ImageRejected(_unidentified_reason(data)) from exc
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            # Pillow reports truncated and corrupt data as OSError (and some plugins as SyntaxError).
            raise ImageRejected(f"The image data is truncated or corrupt ({exc}).") from exc
        except MemoryError as exc:
            raise ImageRejected("The image needs too much memory to decode.") from exc


def _process(data: bytes, *, max_pixels: int, widths: list[int], max_frames: int) -> ProcessedImage:
    with Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS)) as im:
        fmt = "JPEG" if im.format == "MPO" else (im.format or "")  # a camera's multi-picture JPEG
        if fmt not in ACCEPTED_FORMATS:  # pragma: no cover - Image.open refused the others already
            raise ImageRejected(f"{fmt or 'This'} images are not accepted (only JPEG, PNG, WebP and GIF).")
        width, height = im.size  # declared by the header; nothing decoded yet
        if width < 1 or height < 1:
            raise ImageRejected(f"The image declares an empty size ({width}×{height}).")
        if width * height > max_pixels:
            raise ImageRejected(
                f"The image is {width:,}×{height:,} = {width * height:,} pixels, over the limit of "
                f"{max_pixels:,} (a decompression bomb?)."
            )
        frames = _frame_count(im, max_frames)
        if frames > max_frames:
            raise ImageRejected(
                f"The image is an animation of more than {max_frames:,} frames (an animation bomb?)."
            )
        im.seek(0)
        if fmt == "JPEG":
            # Let libjpeg decode at a reduced scale when the biggest variant is much smaller: a
            # 40-megapixel photo is then never decoded at full size. Both sides stay >= the widest
            # variant, so a rotation by the EXIF orientation loses nothing.
            im.draft(None, (widths[-1], widths[-1]))
        im.load()
        oriented = ImageOps.exif_transpose(im) or im
        shown_w, shown_h = _oriented_size(im, width, height)
        base = _to_srgb(oriented)
    variants = {str(w): _webp(_resized(base, w)) for w in _variant_widths(widths, shown_w)}
    return ProcessedImage(
        format=fmt,
        width=shown_w,
        height=shown_h,
        content_hash=content_hash(data),
        byte_size=len(data),
        variants=variants,
    )


def _frame_count(im: Image.Image, max_frames: int) -> int:
    if not getattr(im, "is_animated", False):
        return 1
    if im.format == "GIF":
        # GIF does not declare its frame count: walk at most max_frames + 1 frames, decoding none.
        try:
            im.seek(max_frames)
        except EOFError:
            return int(getattr(im, "n_frames", 1))
        return max_frames + 1
    return int(getattr(im, "n_frames", 1))  # APNG and WebP declare it in a header


def _oriented_size(im: Image.Image, width: int, height: int) -> tuple[int, int]:
    """The original's size as displayed: EXIF orientations 5-8 swap width and height."""
    orientation = im.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _to_srgb(im: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB, with no metadata attached."""
    has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        im.mode == "P" and "transparency" in im.info
    )
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        im = im.convert("I").point(lambda v: v / 256).convert("L")  # 16-bit grey to 8-bit
    target = "RGBA" if has_alpha else "RGB"
    icc = im.info.get("icc_profile")
    converted: Image.Image | None = None
    if icc and im.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(im, source, srgb, outputMode=target)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken profile: keep the pixels as they are
    out = converted if converted is not None else im.convert(target)
    out.info = {}
    return out


def _variant_widths(widths: list[int], original: int) -> list[int]:
    smaller = [w for w in widths if w < original]
    return smaller + [original] if len(smaller) < len(widths) else smaller


def _resized(im: Image.Image, width: int) -> Image.Image:
    if width >= im.width:
        return im
    height = max(1, round(im.height * width / im.width))
    return im.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _webp(im: Image.Image) -> bytes:
    im.info = {}  # nothing from the original travels into the file
    buffer = io.BytesIO()
    im.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def _unidentified_reason(data: bytes) -> str:
    head = data[:64]
    for signature, offset, name in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return f"{name} images are not accepted (only JPEG, PNG, WebP and GIF)."
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "SVG images are not accepted (only JPEG, PNG, WebP and GIF)."
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "The response is an HTML page, not an image."
    return "The data is not an image in a format we accept (JPEG, PNG, WebP or GIF)."

"""process_image (pure): every refusal with a readable reason, and what a good image becomes."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from typing import Any

import pytest
from PIL import Image

from images.imaging import ImageRejected, process_image
from tests.images import makers

LIMITS: dict[str, Any] = {"max_bytes": 15 * 1024 * 1024, "max_pixels": 40_000_000}


def _open(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def _pixel(im: Image.Image, x: int, y: int) -> tuple[int, ...]:
    value = im.getpixel((x, y))
    assert isinstance(value, tuple)
    return value


def _rejected(data: bytes, **overrides: int) -> str:
    with pytest.raises(ImageRejected) as caught:
        process_image(data, **(LIMITS | overrides))
    return caught.value.reason


# ---------------------------------------------------------------------------------------------
# Refusals


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"hello, I am text", "not an image in a format we accept"),
        (b"<!DOCTYPE html><html><body>Login</body></html>", "HTML page, not an image"),
        (b"", "empty"),
    ],
)
def test_not_an_image_is_refused(data, expected):
    assert expected in _rejected(data)


@pytest.mark.parametrize(
    ("data", "name"), [(makers.bmp(), "BMP"), (makers.tiff(), "TIFF"), (makers.SVG, "SVG")]
)
def test_other_formats_are_refused_by_name(data, name):
    assert _rejected(data) == f"{name} images are not accepted (only JPEG, PNG, WebP and GIF)."


def test_too_many_bytes_is_refused_before_decoding():
    data = makers.png(200, 200)
    reason = _rejected(data, max_bytes=len(data) - 1)
    assert reason == f"The image is {len(data):,} bytes, over the limit of {len(data) - 1:,}."


def test_a_small_png_declaring_60000_by_60000_pixels_is_a_decompression_bomb():
    data = makers.png_declaring(60_000, 60_000)
    assert len(data) < 200

    reason = _rejected(data)

    assert "decompression bomb" in reason
    assert "3600000000 pixels" in reason


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (1100, 1000),  # just over the limit: Pillow would only warn; we refuse
        (3000, 3000),  # over twice the limit: Pillow's own error
    ],
)
def test_images_over_the_pixel_limit_are_refused(width, height):
    reason = _rejected(makers.png_declaring(width, height), max_pixels=1_000_000)
    assert "decompression bomb" in reason


def test_an_image_at_the_pixel_limit_is_accepted():
    result = process_image(makers.png(1000, 1000), max_bytes=LIMITS["max_bytes"], max_pixels=1_000_000)
    assert (result.width, result.height) == (1000, 1000)


def test_truncated_jpeg_is_refused():
    data = makers.noisy_jpeg()
    reason = _rejected(data[: len(data) // 3])
    assert reason.startswith("The image data is truncated or corrupt")


def test_corrupt_png_data_is_refused():
    data = bytearray(makers.encode(Image.effect_noise((300, 300), 60), "PNG"))
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(200)  # inside the compressed pixel data
    assert _rejected(bytes(data)).startswith("The image data is truncated or corrupt")


def test_an_animation_of_many_frames_is_refused():
    reason = _rejected(makers.animated_gif(300))
    assert reason == "The image is an animation of more than 200 frames (an animation bomb?)."


def test_an_animation_of_a_few_frames_keeps_its_first_frame():
    data = makers.animated_gif(5, size=40)
    first = _open(data).convert("RGB").getpixel((5, 5))

    result = process_image(data, **LIMITS)

    assert result.format == "GIF"
    assert list(result.variants) == ["40"]
    assert _open(result.variants["40"]).convert("RGB").getpixel((5, 5)) == pytest.approx(first, abs=12)


# ---------------------------------------------------------------------------------------------
# What a good image becomes


def test_variants_are_webp_at_each_width_smaller_than_the_original():
    data = makers.png(1000, 500)

    result = process_image(data, **LIMITS)

    assert result.format == "PNG"
    assert (result.width, result.height, result.byte_size) == (1000, 500, len(data))
    assert result.content_hash == hashlib.sha256(data).hexdigest()
    # 1200 would be an upscale: the original's own width stands in for it.
    assert {w: _open(v).size for w, v in result.variants.items()} == {
        "160": (160, 80),
        "480": (480, 240),
        "1000": (1000, 500),
    }
    for variant in result.variants.values():
        assert (variant[:4], variant[8:12]) == (b"RIFF", b"WEBP")
        assert _open(variant).format == "WEBP"


def test_small_images_are_never_upscaled():
    result = process_image(makers.png(100, 50), **LIMITS)
    assert {w: _open(v).size for w, v in result.variants.items()} == {"100": (100, 50)}


def test_custom_widths():
    result = process_image(makers.png(1000, 500), widths=(300, 600), **LIMITS)
    assert sorted(result.variants, key=int) == ["300", "600"]


def test_exif_orientation_is_applied_and_all_metadata_dropped():
    data = makers.jpeg_with_metadata(orientation=6)  # stored 200x100, shown turned 90° clockwise
    original = _open(data)
    assert original.getexif()[0x0112] == 6
    assert b"SecretCam" in data
    assert b"Secret Person" in data
    assert "icc_profile" in original.info

    result = process_image(data, **LIMITS)

    assert result.format == "JPEG"
    assert (result.width, result.height) == (100, 200)
    variant_bytes = result.variants["100"]
    variant = _open(variant_bytes)
    assert variant.size == (100, 200)
    # The red left half is now on top, the blue right half at the bottom.
    rgb = variant.convert("RGB")
    top, bottom = _pixel(rgb, 50, 20), _pixel(rgb, 50, 180)
    assert (top[0] > 150, top[2] < 100) == (True, True)
    assert (bottom[2] > 150, bottom[0] < 100) == (True, True)
    # Nothing of the original's metadata travels: no EXIF (camera, GPS), no XMP, no ICC profile.
    assert not variant.getexif()
    assert not {"exif", "xmp", "icc_profile"} & set(variant.info)
    for marker in (b"EXIF", b"XMP ", b"ICCP", b"SecretCam", b"Secret Person", b"GPS"):
        assert marker not in variant_bytes


def test_transparency_is_kept():
    im = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    im.paste((10, 200, 10, 255), (0, 0, 150, 200))
    result = process_image(makers.encode(im, "PNG"), **LIMITS)

    variant = _open(result.variants["160"])
    assert variant.mode == "RGBA"
    assert _pixel(variant, 10, 50)[3] == 255
    assert _pixel(variant, 150, 50)[3] == 0


@pytest.mark.parametrize(
    ("fmt", "mode"), [("WEBP", "RGB"), ("GIF", "P"), ("PNG", "L"), ("PNG", "P"), ("JPEG", "CMYK")]
)
def test_accepted_formats_and_modes(fmt, mode):
    im = Image.new("RGB", (600, 300), makers.RED).convert(mode)
    result = process_image(makers.encode(im, fmt), **LIMITS)
    assert result.format == fmt
    assert sorted(result.variants, key=int) == ["160", "480", "600"]


def test_large_jpeg_is_decoded_at_a_reduced_scale_but_keeps_its_size():
    data = makers.noisy_jpeg(4000, 3000)
    result = process_image(data, **LIMITS)
    assert (result.width, result.height) == (4000, 3000)
    assert _open(result.variants["1200"]).size == (1200, 900)


def test_the_pure_core_imports_no_django():
    code = "import sys, images.imaging; assert not [m for m in sys.modules if m.startswith('django')]"
    subprocess.run([sys.executable, "-c", code], check=True)

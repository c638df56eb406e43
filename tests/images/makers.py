"""Small generated images for the image tests: every failure mode is built here, in a few bytes."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms

RED = (220, 20, 20)
BLUE = (20, 20, 220)


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def png(width: int = 1000, height: int = 500, color: tuple[int, int, int] = RED) -> bytes:
    return encode(Image.new("RGB", (width, height), color), "PNG")


def noisy_jpeg(width: int = 800, height: int = 600) -> bytes:
    return encode(Image.effect_noise((width, height), 60).convert("RGB"), "JPEG", quality=90)


def halves(width: int = 200, height: int = 100) -> Image.Image:
    """Left half red, right half blue: shows which way an image was turned."""
    im = Image.new("RGB", (width, height), RED)
    im.paste(BLUE, (width // 2, 0, width, height))
    return im


def jpeg_with_metadata(orientation: int = 6) -> bytes:
    """A JPEG carrying an EXIF orientation, camera fields, a GPS position, XMP and an ICC profile."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "Model 9"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (47.0, 39.0, 12.0)
    gps[3] = "W"
    gps[4] = (122.0, 21.0, 3.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description creator="Secret Person"/></rdf:RDF></x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(halves(), "JPEG", quality=95, exif=exif, xmp=xmp, icc_profile=icc)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width`×`height` pixels: a decompression bomb's shape."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )


def animated_gif(frames: int, size: int = 8) -> bytes:
    images = [Image.new("P", (size, size), i % 200) for i in range(frames)]
    for i, im in enumerate(images):
        im.putpalette([c for n in range(256) for c in ((n * 7 + i) % 256, n, 255 - n)])
    return encode(images[0], "GIF", save_all=True, append_images=images[1:], duration=20, loop=0)


def bmp() -> bytes:
    return encode(Image.new("RGB", (10, 10), RED), "BMP")


def tiff() -> bytes:
    return encode(Image.new("RGB", (10, 10), RED), "TIFF")


SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'

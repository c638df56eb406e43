"""fetchrules.BodyDecoder: Content-Encoding undone a bounded step at a time, counted against the limit."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import brotli
import pytest

from sourcing.fetchrules import DECODE_STEP_BYTES, BodyDecoder, BodyLimit, FetchError

TEXT = b"<html><body>" + b"Caf\xc3\xa9 and concerts. " * 4000 + b"</body></html>"
MB = 1024 * 1024


def deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def decode(coding: str, body: bytes, *, max_bytes: int = 10 * MB, chunk: int = 1000) -> bytes:
    decoder = BodyDecoder(coding, BodyLimit(max_bytes))
    for start in range(0, len(body), chunk):
        decoder.feed(body[start : start + chunk])
    return decoder.finish()


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("GZIP", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),  # zlib-wrapped, as RFC 9110 says
        ("deflate", deflate_raw(TEXT)),  # raw, as some servers send it
        ("br", brotli.compress(TEXT)),
        ("gzip", gzip.compress(TEXT[:20000]) + gzip.compress(TEXT[20000:])),  # two gzip members
    ],
)
def test_every_coding_we_ask_for_is_undone(coding, encoded):
    assert decode(coding, encoded) == TEXT
    assert decode(coding, encoded, chunk=len(encoded) or 1) == TEXT  # in one chunk as in many


@pytest.mark.parametrize(
    ("coding", "pack"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", lambda data: brotli.compress(data, quality=5)),
    ],
)
def test_a_bomb_stops_at_the_limit_and_no_step_inflates_more_than_a_step(coding, pack):
    bomb = pack(b"\0" * (64 * MB))
    assert len(bomb) < 200_000  # 64 MiB of zeros in well under one chunk of the network's

    # Fed in one piece, the whole bomb at once: still stopped at the limit, a step at a time
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="exceeded the limit of 1,048,576 bytes") as info:
            decode(coding, bomb, max_bytes=MB, chunk=len(bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not info.value.retryable
    # The limit's megabyte, the compressed input and a step or two: never the 64 MiB it would inflate to
    assert peak < 4 * MB


def test_each_step_is_bounded():
    steps: list[int] = []

    class Recording(BodyLimit):
        def add(self, chunk: bytes) -> bool:
            steps.append(len(chunk))
            return super().add(chunk)

    decoder = BodyDecoder("gzip", Recording(100 * MB))
    decoder.feed(gzip.compress(b"\0" * (8 * MB)))
    decoder.finish()
    assert sum(steps) == 8 * MB
    assert max(steps) <= DECODE_STEP_BYTES


@pytest.mark.parametrize(
    ("coding", "reason"),
    [
        ("zstd", "encoded with 'zstd', which we did not ask for"),
        ("compress", "encoded with 'compress'"),
        ("gzip, br", "encoded several times over"),
    ],
)
def test_codings_we_did_not_ask_for_are_refused_with_the_reason(coding, reason):
    with pytest.raises(FetchError, match=reason) as info:
        BodyDecoder(coding, BodyLimit(MB))
    assert not info.value.retryable


@pytest.mark.parametrize(("coding", "garbage"), [("gzip", b"not gzip at all"), ("br", b"\xff" * 64)])
def test_a_body_that_is_not_what_it_claims_is_a_decoding_error(coding, garbage):
    with pytest.raises(FetchError, match="could not be decompressed"):
        decode(coding, garbage)


def test_a_truncating_limit_keeps_the_start_and_says_stop():
    decoder = BodyDecoder("gzip", BodyLimit(1000, truncate=True))
    assert decoder.feed(gzip.compress(TEXT)) is False
    assert decoder.finish() == TEXT[:1000]

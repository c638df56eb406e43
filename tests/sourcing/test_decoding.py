"""The one body decoder (`sourcing.fetchrules.decode_body`), above all where the two it replaced
(the fetcher's and the JSON-LD adapter's) disagreed: each case says what each of them did."""

from __future__ import annotations

import pytest

from sourcing.fetchrules import body_text, decode_body

CAFE_UTF8 = "Caf\u00e9".encode()
CAFE_1252 = "Caf\u00e9".encode("cp1252")


@pytest.mark.parametrize(
    ("body", "content_type", "text", "encoding"),
    [
        pytest.param(b"<p>" + CAFE_UTF8, "", "<p>Caf\u00e9", "utf-8", id="utf-8-by-default"),
        # The fetcher kept the BOM as U+FEFF and read UTF-16 as windows-1252; the adapter dropped it.
        pytest.param(b"\xef\xbb\xbf" + CAFE_UTF8, "", "Caf\u00e9", "utf-8", id="utf-8-bom"),
        pytest.param("Caf\u00e9".encode("utf-16"), "", "Caf\u00e9", "utf-16-le", id="utf-16-bom"),
        pytest.param(
            b"\xef\xbb\xbf" + CAFE_UTF8, "text/html; charset=iso-8859-1", "Caf\u00e9", "utf-8", id="bom-wins"
        ),
        # The adapter never saw the header; the fetcher missed a quoted charset.
        pytest.param(
            "\u0141\u00f3d\u017a".encode("iso-8859-2"),
            'text/html; charset="ISO-8859-2"',
            "\u0141\u00f3d\u017a",
            "iso8859-2",
            id="quoted-header-charset",
        ),
        pytest.param(
            b'<meta charset="iso-8859-2">' + "\u0141\u00f3d\u017a".encode("iso-8859-2"),
            "text/html; charset=utf-8",
            '<meta charset="iso-8859-2">\u0141\u00f3d\u017a',
            "iso8859-2",
            id="header-says-utf-8-and-is-not-meta-is-right",
        ),
        # latin-1 is windows-1252 (WHATWG): the fetcher gave U+0080 for the euro sign.
        pytest.param(
            b'<meta charset="iso-8859-1">\x80 5',
            "",
            '<meta charset="iso-8859-1">\u20ac 5',
            "cp1252",
            id="latin-1",
        ),
        # A <meta> saying UTF-16 means UTF-8: the fetcher read the page as UTF-16 (garbage).
        pytest.param(
            b'<meta charset="utf-16">' + CAFE_UTF8,
            "",
            '<meta charset="utf-16">Caf\u00e9',
            "utf-8",
            id="meta-utf-16",
        ),
        # A page that says UTF-8 and is windows-1252: the adapter gave U+FFFD, the fetcher windows-1252.
        pytest.param(
            b'<meta charset="utf-8">' + CAFE_1252,
            "",
            '<meta charset="utf-8">Caf\u00e9',
            "cp1252",
            id="lying-meta",
        ),
        pytest.param(CAFE_1252, "text/html; charset=UTF-8", "Caf\u00e9", "cp1252", id="lying-header"),
        # The five bytes windows-1252 leaves undefined: the fetcher then fell back to UTF-8 with U+FFFD.
        pytest.param(CAFE_1252 + b" \x81", "", "Caf\u00e9 \x81", "cp1252", id="windows-1252-undefined-byte"),
        # UTF-8 cut mid-character (a truncated body): the fetcher read the whole page as windows-1252.
        pytest.param(
            "Caf\u00e9 \u00f6".encode()[:-1], "", "Caf\u00e9 \u00c3", "utf-8", id="utf-8-cut-mid-character"
        ),
        # windows-1252 text in a UTF-8 template: each old decoder spoilt one of the two.
        pytest.param("\u00a9 ".encode() + CAFE_1252, "", "\u00a9 Caf\u00e9", "utf-8", id="mixed"),
        # JSON is UTF-8: a <meta> inside a JSON string is no declaration (both old decoders obeyed it).
        pytest.param(
            b'{"d": "<meta charset=\\"iso-8859-1\\">' + CAFE_UTF8 + b'"}',
            "",
            '{"d": "<meta charset=\\"iso-8859-1\\">Caf\u00e9"}',
            "utf-8",
            id="meta-in-json",
        ),
        pytest.param(
            b'<meta charset="utf8mb4">' + CAFE_UTF8,
            "",
            '<meta charset="utf8mb4">Caf\u00e9',
            "utf-8",
            id="unknown-label",
        ),
        pytest.param(
            b'<meta charset="base64">' + CAFE_UTF8,
            "",
            '<meta charset="base64">Caf\u00e9',
            "utf-8",
            id="not-a-text-codec",
        ),
        # A declared encoding that nothing else fits is kept, with replacement characters.
        pytest.param(
            "\u65e5\u672c".encode("cp932") + b"\x81 ",
            "text/html; charset=shift_jis",
            "\u65e5\u672c\ufffd ",
            "cp932",
            id="declared-multibyte-with-a-bad-byte",
        ),
        # Browsers' order: the header wins over the <meta> when the bytes bear it out, as here.
        pytest.param(
            b'<meta charset="utf-8">' + CAFE_UTF8,
            "text/html; charset=windows-1252",
            '<meta charset="utf-8">Caf\u00c3\u00a9',
            "cp1252",
            id="header-before-meta",
        ),
    ],
)
def test_decode_body(body: bytes, content_type: str, text: str, encoding: str) -> None:
    assert decode_body(body, content_type) == (text, encoding)


def test_meta_charset_counts_only_in_the_first_4_kb() -> None:
    body = b"<p>" + b" " * 4096 + b'<meta charset="iso-8859-2">' + CAFE_UTF8
    assert decode_body(body) == (body.decode(), "utf-8")


def test_body_text_takes_str_as_decoded() -> None:
    assert body_text("\ufeffCaf\u00e9") == "Caf\u00e9"
    assert body_text(CAFE_1252, "text/html; charset=utf-8") == "Caf\u00e9"

"""The private-address guard judges an IPv6 address that embeds an IPv4 one by where it leads."""

from __future__ import annotations

import ipaddress

import pytest

from sourcing.fetchrules import FetchError, FetchPolicy, check_destination, embedded_ipv4, is_public_address

# Each form that leads to 127.0.0.1 (or another private IPv4), and the same form around a public one.
EMBEDDED = [
    # (form, leads to loopback, leads to 8.8.8.8)
    ("NAT64 64:ff9b::/96", "64:ff9b::7f00:1", "64:ff9b::808:808"),
    ("6to4 2002::/16", "2002:7f00:1::", "2002:808:808::"),
    ("IPv4-compatible ::a.b.c.d", "::127.0.0.1", "::8.8.8.8"),
    ("IPv4-mapped ::ffff:a.b.c.d", "::ffff:127.0.0.1", "::ffff:8.8.8.8"),
    # Teredo: server 65.54.227.120 (public); client 127.0.0.1, obfuscated (bits inverted) in the last 32 bits
    ("Teredo 2001::/32", "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"),
]


@pytest.mark.parametrize(("form", "private", "public"), EMBEDDED, ids=[e[0] for e in EMBEDDED])
def test_an_embedded_private_ipv4_is_refused_and_a_public_one_judged_the_same(form, private, public):
    assert not is_public_address(private), form
    assert is_public_address(public), form


@pytest.mark.parametrize(
    ("address", "embedded"),
    [
        ("64:ff9b::a00:5", "10.0.0.5"),  # NAT64 to a private network
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),  # NAT64 to the cloud metadata address
        ("2002:c0a8:101::1", "192.168.1.1"),  # 6to4 around a home router
        ("::ffff:100.64.0.1", "100.64.0.1"),  # mapped shared address space
        ("::10.0.0.1", "10.0.0.1"),  # IPv4-compatible
    ],
)
def test_the_embedded_address_is_the_one_judged(address, embedded):
    assert str(embedded_ipv4(ipaddress.IPv6Address(address))[-1]) == embedded
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["64:ff9b:1::808:808", "64:ff9b:1:7f00:1::"])
def test_the_local_use_nat64_prefix_is_never_public(address):
    # RFC 8215: 64:ff9b:1::/48 leads to whatever IPv4 network a local translator serves.
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["2606:4700:4700::1111", "2001:4860:4860::8888"])
def test_ordinary_public_ipv6_addresses_embed_nothing_and_pass(address):
    assert embedded_ipv4(ipaddress.IPv6Address(address)) == []
    assert is_public_address(address)


@pytest.mark.parametrize("address", ["::", "::1", "fe80::1", "fc00::1", "ff02::1", "240.0.0.1", "0.0.0.0"])
def test_unspecified_loopback_link_local_unique_local_multicast_and_reserved_are_refused(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(("form", "private", "public"), EMBEDDED, ids=[e[0] for e in EMBEDDED])
def test_the_guard_refuses_a_host_resolving_to_an_embedded_private_address(form, private, public):
    with pytest.raises(FetchError, match="non-public address") as info:
        check_destination("http://innocent.example/", FetchPolicy(), resolver=lambda host: [private])
    assert not info.value.retryable
    # Allowing 127.0.0.1 does not allow its IPv6 disguises: the allow-list names addresses as written
    with pytest.raises(FetchError, match="non-public address"):
        check_destination(
            "http://innocent.example/",
            FetchPolicy(allowed_private=("127.0.0.1",)),
            resolver=lambda host: [private],
        )


@pytest.mark.parametrize(
    "literal", ["[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[::127.0.0.1]", "[::ffff:7f00:1]"]
)
def test_a_url_naming_an_embedded_form_literally_is_refused_without_dns(literal):
    def no_dns(host: str) -> list[str]:
        raise AssertionError("a literal address needs no lookup")

    with pytest.raises(FetchError, match="non-public address"):
        check_destination(f"http://{literal}:8080/", FetchPolicy(), resolver=no_dns)

"""The client address: the socket peer, X-Forwarded-For only from our own proxies."""

from __future__ import annotations

import pytest

from community.web.client import (
    TrustedProxies,
    forwarded_addresses,
    rate_limit_key,
    resolve_client,
)

NOBODY = TrustedProxies()
BALANCERS = TrustedProxies.parse(["10.0.0.0/8", " 2001:db8:ffff::/48 ", "192.0.2.1", ""])


def hops(*headers: str) -> list[str]:
    return forwarded_addresses(list(headers))


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert resolve_client("198.51.100.7", hops("1.2.3.4"), NOBODY) == "198.51.100.7"
    assert resolve_client("10.0.0.1", hops("1.2.3.4"), NOBODY) == "10.0.0.1"


def test_an_untrusted_peer_cannot_forward_for_anyone() -> None:
    assert resolve_client("198.51.100.7", hops("1.2.3.4"), BALANCERS) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_hop_it_saw() -> None:
    assert resolve_client("10.0.0.1", hops("203.0.113.5"), BALANCERS) == "203.0.113.5"


def test_what_the_client_wrote_to_the_left_is_not_believed() -> None:
    forged = hops("1.1.1.1, 8.8.8.8, 203.0.113.5")
    assert resolve_client("10.0.0.1", forged, BALANCERS) == "203.0.113.5"


def test_a_chain_of_our_proxies_is_walked_to_the_first_outsider() -> None:
    chain = hops("9.9.9.9, 203.0.113.5", "10.2.0.1, 192.0.2.1")  # two headers are one list
    assert resolve_client("10.0.0.1", chain, BALANCERS) == "203.0.113.5"


def test_a_hop_that_is_no_address_stops_at_the_last_good_one() -> None:
    assert resolve_client("10.0.0.1", hops("unknown, 10.9.9.9"), BALANCERS) == "10.9.9.9"
    assert resolve_client("10.0.0.1", hops("_hidden"), BALANCERS) == "10.0.0.1"


def test_addresses_are_read_in_their_usual_spellings() -> None:
    assert resolve_client("::ffff:10.0.0.1", hops("[2001:DB8::1]:443"), BALANCERS) == "2001:db8::1"
    assert resolve_client("10.0.0.1", hops("203.0.113.5:5123"), BALANCERS) == "203.0.113.5"
    assert resolve_client(None, hops("203.0.113.5"), BALANCERS) == "unknown"


def test_ipv6_clients_are_counted_by_their_64() -> None:
    assert rate_limit_key("2001:db8:1:2:aaaa::1") == rate_limit_key("2001:db8:1:2:bbbb::9")
    assert rate_limit_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert rate_limit_key("203.0.113.5") == "203.0.113.5"
    assert rate_limit_key("::ffff:203.0.113.5") == "203.0.113.5"


def test_a_bad_setting_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"PARVIS_TRUSTED_PROXIES: '10.0.0.0/33'"):
        TrustedProxies.parse(["10.0.0.0/33"])

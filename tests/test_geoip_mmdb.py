"""MmdbGeoIp against real MMDB files written with mmdb_writer in a temporary directory."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from vigil.adapters.geoip_mmdb import MmdbGeoIp
from vigil.errors import ConfigError, InvalidInput, StorageError
from vigil.model import NetworkOrigin
from vigil.ports import GeoIp

COUNTRY_RECORDS: dict[str, dict[str, Any]] = {
    "1.2.3.0/24": {"country": {"iso_code": "DE"}, "registered_country": {"iso_code": "DE"}},
    "2001:db8:1::/48": {"country": {"iso_code": "FR"}, "registered_country": {"iso_code": "FR"}},
    # No country of its own (e.g. an anycast block): fall back to the registered country.
    "5.6.7.0/24": {"registered_country": {"iso_code": "NL"}},
    # Bad codes are ignored; a valid registered country still answers.
    "8.8.8.0/24": {"country": {"iso_code": "de"}},
    "8.8.9.0/24": {"country": {"iso_code": "DEU"}},
    "8.8.10.0/24": {"country": {"iso_code": "XYZ"}, "registered_country": {"iso_code": "US"}},
    "8.8.11.0/24": {"country": {"iso_code": 49}},
}

ANONYMOUS_RECORDS: dict[str, dict[str, Any]] = {
    "1.2.3.4/32": {"is_anonymous": True, "is_tor_exit_node": True},
    "185.220.101.0/24": {"is_anonymous": True, "is_tor_exit_node": True},
    "2001:db8:1:2::/64": {"is_anonymous": True, "is_anonymous_vpn": True},
    "45.10.0.0/16": {"is_anonymous": True, "is_hosting_provider": True},
    "7.7.7.0/24": {"is_anonymous": True, "is_public_proxy": True},
    "6.6.6.0/24": {"is_anonymous": True, "is_residential_proxy": True},
    "1.2.3.99/32": {"is_anonymous": False, "is_tor_exit_node": False, "is_anonymous_vpn": False},
}


def write_mmdb(
    path: Path, database_type: str, records: dict[str, dict[str, Any]], *, ip_version: int = 6
) -> Path:
    writer = MMDBWriter(ip_version=ip_version, ipv4_compatible=ip_version == 6, database_type=database_type)
    for network, record in records.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="module")
def country_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mmdb(tmp_path_factory.mktemp("geo") / "country.mmdb", "GeoIP2-Country", COUNTRY_RECORDS)


@pytest.fixture(scope="module")
def anonymous_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mmdb(
        tmp_path_factory.mktemp("geo") / "anonymous.mmdb", "GeoIP2-Anonymous-IP", ANONYMOUS_RECORDS
    )


@pytest.fixture(scope="module")
def geo(country_db: Path, anonymous_db: Path) -> Iterator[MmdbGeoIp]:
    adapter = MmdbGeoIp(country_db, anonymous_db)
    yield adapter
    adapter.close()


def test_satisfies_the_port(geo: MmdbGeoIp) -> None:
    port: GeoIp = geo
    assert port.lookup("1.2.3.5") == NetworkOrigin(country="DE")


def test_country_of_ipv4_address(geo: MmdbGeoIp) -> None:
    assert geo.lookup("1.2.3.5") == NetworkOrigin(country="DE")


def test_country_of_ipv6_address(geo: MmdbGeoIp) -> None:
    assert geo.lookup("2001:db8:1:ffff::1") == NetworkOrigin(country="FR")


def test_ipv4_mapped_ipv6_address_is_looked_up_as_ipv4(geo: MmdbGeoIp) -> None:
    assert geo.lookup("::ffff:1.2.3.4") == geo.lookup("1.2.3.4")
    assert geo.lookup("::ffff:1.2.3.5") == NetworkOrigin(country="DE")


def test_falls_back_to_registered_country(geo: MmdbGeoIp) -> None:
    assert geo.lookup("5.6.7.8") == NetworkOrigin(country="NL")


@pytest.mark.parametrize("ip", ["8.8.8.8", "8.8.9.9", "8.8.11.1"])
def test_bad_iso_code_is_treated_as_unknown(geo: MmdbGeoIp, ip: str) -> None:
    assert geo.lookup(ip) == NetworkOrigin(country=None)


def test_bad_country_code_falls_back_to_valid_registered_country(geo: MmdbGeoIp) -> None:
    assert geo.lookup("8.8.10.10") == NetworkOrigin(country="US")


def test_tor_exit_in_both_databases(geo: MmdbGeoIp) -> None:
    origin = geo.lookup("1.2.3.4")
    assert origin == NetworkOrigin(country="DE", is_tor=True)
    assert origin.is_anonymised


def test_vpn_on_ipv6(geo: MmdbGeoIp) -> None:
    assert geo.lookup("2001:db8:1:2::42") == NetworkOrigin(country="FR", is_vpn=True)


def test_hosting_provider(geo: MmdbGeoIp) -> None:
    assert geo.lookup("45.10.200.1") == NetworkOrigin(is_hosting=True)


@pytest.mark.parametrize("ip", ["7.7.7.7", "6.6.6.6"])
def test_public_and_residential_proxies_count_as_vpn(geo: MmdbGeoIp, ip: str) -> None:
    assert geo.lookup(ip) == NetworkOrigin(is_vpn=True)


def test_false_flags_stay_false(geo: MmdbGeoIp) -> None:
    origin = geo.lookup("1.2.3.99")
    assert origin == NetworkOrigin(country="DE")
    assert not origin.is_anonymised


def test_address_only_in_anonymous_db_has_no_country(geo: MmdbGeoIp) -> None:
    assert geo.lookup("185.220.101.7") == NetworkOrigin(country=None, is_tor=True)


@pytest.mark.parametrize("ip", ["192.0.2.1", "2001:db8:ffff::1", "::1", "0.0.0.0"])
def test_address_in_neither_db_is_none(geo: MmdbGeoIp, ip: str) -> None:
    assert geo.lookup(ip) is None


def test_country_only(country_db: Path) -> None:
    geo = MmdbGeoIp(country_db=country_db)
    try:
        assert geo.lookup("1.2.3.4") == NetworkOrigin(country="DE")
        assert geo.lookup("185.220.101.7") is None
    finally:
        geo.close()


def test_anonymous_only(anonymous_db: Path) -> None:
    geo = MmdbGeoIp(anonymous_db=anonymous_db)
    try:
        assert geo.lookup("1.2.3.4") == NetworkOrigin(country=None, is_tor=True)
        assert geo.lookup("1.2.3.5") is None
    finally:
        geo.close()


def test_ipv6_lookup_in_ipv4_only_database_is_none(tmp_path: Path) -> None:
    path = write_mmdb(
        tmp_path / "v4.mmdb", "GeoIP2-Country", {"1.2.3.0/24": {"country": {"iso_code": "DE"}}}, ip_version=4
    )
    geo = MmdbGeoIp(country_db=path)
    try:
        assert geo.lookup("1.2.3.4") == NetworkOrigin(country="DE")
        assert geo.lookup("2001:db8:1::1") is None
    finally:
        geo.close()


@given(st.ip_addresses())
def test_never_raises_for_a_well_formed_address(
    geo: MmdbGeoIp, address: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> None:
    origin = geo.lookup(str(address))
    assert origin is None or isinstance(origin, NetworkOrigin)


@pytest.mark.parametrize("ip", ["", "not-an-ip", "1.2.3", "1.2.3.256", "2001:db8:::1", " 1.2.3.4"])
def test_malformed_ip_is_invalid_input(geo: MmdbGeoIp, ip: str) -> None:
    with pytest.raises(InvalidInput) as info:
        geo.lookup(ip)
    assert info.value.field == "ip"
    assert "'ip'" in str(info.value)


def test_needs_at_least_one_database() -> None:
    with pytest.raises(ConfigError, match="needs a country database"):
        MmdbGeoIp()


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "GeoLite2-Country.mmdb"
    with pytest.raises(ConfigError) as info:
        MmdbGeoIp(country_db=missing)
    assert str(missing) in str(info.value)
    assert "no such file" in str(info.value)


def test_missing_anonymous_file_names_the_path(country_db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "anon.mmdb"
    with pytest.raises(ConfigError, match="anonymous-IP database") as info:
        MmdbGeoIp(country_db, missing)
    assert str(missing) in str(info.value)


@pytest.mark.parametrize("content", [b"", b"this is not a maxmind database\n" * 100])
def test_garbage_file_is_config_error(tmp_path: Path, content: bytes) -> None:
    garbage = tmp_path / "garbage.mmdb"
    garbage.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        MmdbGeoIp(country_db=garbage)
    assert str(garbage) in str(info.value)
    assert "not a MaxMind DB" in str(info.value)


def test_swapped_databases_are_refused(country_db: Path, anonymous_db: Path) -> None:
    with pytest.raises(ConfigError, match="GeoIP2-Anonymous-IP") as info:
        MmdbGeoIp(country_db=anonymous_db)
    assert str(anonymous_db) in str(info.value)
    with pytest.raises(ConfigError, match="GeoIP2-Country"):
        MmdbGeoIp(anonymous_db=country_db)


def test_negative_cache_size_is_config_error(country_db: Path) -> None:
    with pytest.raises(ConfigError, match="cache size"):
        MmdbGeoIp(country_db, cache_size=-1)


def test_cache_returns_the_same_result(country_db: Path, anonymous_db: Path) -> None:
    cached = MmdbGeoIp(country_db, anonymous_db, cache_size=4)
    uncached = MmdbGeoIp(country_db, anonymous_db, cache_size=0)
    try:
        ips = ["1.2.3.4", "2001:db8:1:2::42", "45.10.200.1", "192.0.2.1", "5.6.7.8"]
        first = [cached.lookup(ip) for ip in ips]
        again = [cached.lookup(ip) for ip in ips]
        assert first == again == [uncached.lookup(ip) for ip in ips]
        assert first[0] == NetworkOrigin(country="DE", is_tor=True)
        # The most recent lookups are served from the cache: the very same object comes back.
        assert cached.lookup("5.6.7.8") is cached.lookup("5.6.7.8")
        assert uncached.lookup("5.6.7.8") is not uncached.lookup("5.6.7.8")
    finally:
        cached.close()
        uncached.close()


def test_lookup_after_close_is_storage_error(country_db: Path) -> None:
    geo = MmdbGeoIp(country_db)
    assert geo.lookup("1.2.3.4") == NetworkOrigin(country="DE")
    geo.close()
    geo.close()
    with pytest.raises(StorageError, match="closed"):
        geo.lookup("1.2.3.4")

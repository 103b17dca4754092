"""GeoIp adapter over MaxMind-format (MMDB) databases, read with the ``maxminddb`` library.

Two databases, either of which may be given alone:

``country_db``
    A GeoIP2/GeoLite2 Country or City database (or one with the same record layout, such as
    DB-IP Lite). From each record it reads ``country.iso_code`` (where the address is) and,
    when that is absent or not a valid code, ``registered_country.iso_code`` (where the
    block is registered).
``anonymous_db``
    A GeoIP2 Anonymous IP database. From each record it reads the booleans
    ``is_tor_exit_node`` -> ``is_tor``; ``is_anonymous_vpn``, ``is_public_proxy`` and
    ``is_residential_proxy`` -> ``is_vpn``; ``is_hosting_provider`` -> ``is_hosting``.
    ``is_anonymous`` is not read: it is the union of the others and adds nothing. A flag
    counts only when it is literally ``true``; a missing flag is false.

Each file's ``database_type`` metadata must say whether it is an Anonymous IP database
(``GeoIP2-Anonymous-IP``) or not, so a swapped pair of paths is refused when opening.

A country code that is not two ASCII upper-case letters is treated as unknown, never raised.
``lookup`` returns None when the address is in neither database, and an origin (possibly
with no country and no flags) when it is in either. IPv4-mapped IPv6 addresses
(``::ffff:1.2.3.4``) are looked up as their IPv4 address, since not every database aliases
that range. Results are kept in an LRU cache keyed by the address string as given.
"""

from __future__ import annotations

import functools
import ipaddress
import os

import maxminddb
from maxminddb.types import Record

from vigil.errors import ConfigError, InvalidInput, StorageError
from vigil.model import NetworkOrigin

DEFAULT_CACHE_SIZE = 65536

_VPN_FLAGS = ("is_anonymous_vpn", "is_public_proxy", "is_residential_proxy")
_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class MmdbGeoIp:
    """Country and anonymiser flags of an IP address from MMDB files (see the module docstring)."""

    def __init__(
        self,
        country_db: str | os.PathLike[str] | None = None,
        anonymous_db: str | os.PathLike[str] | None = None,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if country_db is None and anonymous_db is None:
            raise ConfigError("MmdbGeoIp needs a country database, an anonymous-IP database, or both")
        if cache_size < 0:
            raise ConfigError(f"geoip cache size must be zero or more, not {cache_size}")
        self._country: maxminddb.Reader | None = None
        self._anonymous: maxminddb.Reader | None = None
        self._closed = False
        self._cached_lookup = functools.lru_cache(maxsize=cache_size)(self._lookup_uncached)
        try:
            if country_db is not None:
                self._country = _open(country_db, "country", anonymous=False)
            if anonymous_db is not None:
                self._anonymous = _open(anonymous_db, "anonymous-IP", anonymous=True)
        except ConfigError:
            self.close()
            raise

    def lookup(self, ip: str) -> NetworkOrigin | None:
        """The origin of ``ip``, or None when it is in neither database.

        Raises ``InvalidInput`` (field ``ip``) for a string that is not an IP address, and
        ``StorageError`` when the database is closed or its data is corrupt.
        """
        if self._closed:
            raise StorageError("geoip database is closed")
        return self._cached_lookup(ip)

    def close(self) -> None:
        """Release the database files and forget cached lookups. Closing twice is harmless."""
        self._closed = True
        self._cached_lookup.cache_clear()
        for reader in (self._country, self._anonymous):
            if reader is not None:
                reader.close()

    def _lookup_uncached(self, ip: str) -> NetworkOrigin | None:
        try:
            address: IpAddress = ipaddress.ip_address(ip)
        except ValueError:
            raise InvalidInput(f"{ip!r} is not an IPv4 or IPv6 address", field="ip") from None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        country_record = _get(self._country, address)
        anonymous_record = _get(self._anonymous, address)
        if country_record is None and anonymous_record is None:
            return None
        flags = anonymous_record if isinstance(anonymous_record, dict) else {}
        return NetworkOrigin(
            country=_country_code(country_record),
            is_tor=flags.get("is_tor_exit_node") is True,
            is_vpn=any(flags.get(name) is True for name in _VPN_FLAGS),
            is_hosting=flags.get("is_hosting_provider") is True,
        )


def _open(path: str | os.PathLike[str], kind: str, *, anonymous: bool) -> maxminddb.Reader:
    where = f"{kind} database {os.fspath(path)}"
    try:
        reader = maxminddb.open_database(path, mode=maxminddb.MODE_AUTO)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file") from None
    except maxminddb.InvalidDatabaseError as exc:
        raise ConfigError(f"{where}: not a MaxMind DB (MMDB) file ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror or exc})") from exc
    # A swapped pair of paths would open fine and silently answer nothing; refuse it.
    database_type = reader.metadata().database_type
    if ("anonymous" in database_type.lower()) != anonymous:
        reader.close()
        raise ConfigError(f"{where}: has database type {database_type!r}, which is not a {kind} database")
    return reader


def _get(reader: maxminddb.Reader | None, address: IpAddress) -> Record | None:
    if reader is None:
        return None
    if address.version == 6 and reader.metadata().ip_version == 4:
        return None  # an IPv4-only database knows nothing of IPv6 addresses
    try:
        return reader.get(address)
    except maxminddb.InvalidDatabaseError as exc:
        raise StorageError(f"geoip database is corrupt at {address}: {exc}") from exc


def _country_code(record: Record | None) -> str | None:
    if not isinstance(record, dict):
        return None
    for key in ("country", "registered_country"):
        section = record.get(key)
        if isinstance(section, dict):
            code = section.get("iso_code")
            if isinstance(code, str) and len(code) == 2 and set(code) <= _ASCII_UPPER:
                return code
    return None

"""Turn a user's stream URL into the URL we hand to Chatsight.

Chatsight recommends a rendition of 360p or lower for video (docs/chatsight-api.md §3, §8), so an
HLS master playlist is replaced by its best variant at or below 360p. Anything else is passed on
unchanged.
Every failure falls back to the original URL: preparing is an optimisation, never a gate.

Fetching a user-given URL is a server-side request, so it is guarded against SSRF. The host is
resolved here, every address is vetted, and the request then goes to a vetted IP literal through
the shared session, with the original ``Host`` header and, for https, ``server_hostname`` set to
the real name so SNI and certificate checks are unchanged. aiohttp is never given a name to
resolve, so a DNS answer cannot change between the check and the connection (rebinding), and its
``ConnectionKey`` includes ``server_hostname``, so pooled TLS connections are not shared between
names. As a side effect, the default cookie jar ignores cookies from these IP-literal requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import math
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp
import m3u8
from yarl import URL

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_HEIGHT = 360
_FETCHED_SCHEMES = frozenset({"http", "https"})
_UNFETCHED_SCHEMES = frozenset({"rtmp", "rtmps"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Only codecs that are certainly audio: an unknown codec might be video, so it is not "audio-only".
_AUDIO_CODECS = ("mp4a", "ac-3", "ec-3", "ac-4", "opus", "flac", "alac", "mp3")
# NAT64 gateways translate this prefix to the embedded IPv4 address, private ones included.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class PreparedStream:
    url: str  # what to send to Chatsight
    original: str
    reason: str  # short: "variant 640x360 chosen", "not a playlist", "refused: private address"


@dataclass(frozen=True, slots=True)
class Variant:
    uri: str  # absolute
    bandwidth: int | None
    resolution: tuple[int, int] | None  # (width, height)
    audio_only: bool = False

    @property
    def height(self) -> int | None:
        return None if self.resolution is None else self.resolution[1]


def choose_variant(variants: Sequence[Variant]) -> Variant | None:
    """The variant closest to Chatsight's ≤360p advice.

    1. Video with a known height ≤ 360: the tallest; among equal heights the lowest bandwidth,
       because Chatsight's reason for the advice is speed and memory, not fidelity.
    2. Otherwise any video, including unknown resolution: the lowest bandwidth (then the lowest
       height), since bandwidth is the one measure every variant carries and tracks resolution
       within a ladder; a low-bandwidth variant of unknown size is likely the small one.
    3. Audio-only only when nothing else exists (lowest bandwidth): audio is still taggable.
    A missing bandwidth counts as the most expensive.
    """
    video = [v for v in variants if not v.audio_only]
    small = [v for v in video if v.height is not None and v.height <= MAX_HEIGHT]
    if small:
        return max(small, key=lambda v: (v.height or 0, -_bandwidth(v)))
    pool = video or list(variants)
    if not pool:
        return None
    return min(pool, key=lambda v: (_bandwidth(v), v.height or math.inf))


def _bandwidth(variant: Variant) -> float:
    return math.inf if variant.bandwidth is None else variant.bandwidth


def variants_of(playlist: m3u8.M3U8, base_url: str) -> list[Variant]:
    """The playable variants, with URIs resolved against the full base URL.

    ``m3u8``'s own ``absolute_uri`` joins against the directory and so mishandles query-only
    references; ``urljoin`` follows RFC 3986. Variants that do not resolve to http(s) (``file:``,
    ``data:``, ...) are dropped: a hostile playlist should not choose what we forward.
    """
    found = []
    for item in playlist.playlists:
        info = item.stream_info
        uri = urljoin(base_url, item.uri)
        if urlsplit(uri).scheme not in _FETCHED_SCHEMES:
            continue
        codecs = [c.strip().lower() for c in (info.codecs or "").split(",") if c.strip()]
        audio_only = (
            info.resolution is None
            and bool(codecs)
            and all(c.startswith(_AUDIO_CODECS) for c in codecs)
        )
        found.append(Variant(uri, info.bandwidth, info.resolution, audio_only))
    return found


class _Fallback(Exception):
    """Stops preparation; the original URL is used and ``reason`` is logged at ``level``."""

    def __init__(self, reason: str, level: int = logging.INFO) -> None:
        super().__init__(reason)
        self.reason = reason
        self.level = level


def _refused(reason: str) -> _Fallback:
    return _Fallback(f"refused: {reason}", logging.WARNING)


def _address_problem(ip: IPAddress, allowed: Sequence[IPNetwork]) -> str | None:
    """Why connecting to ``ip`` is forbidden, or None.

    IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64) are judged by that address too,
    since they can reach it. The allow-list wins, so tests and private deployments can opt in.
    """
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64:
            candidates.insert(0, ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        elif embedded := ip.ipv4_mapped or ip.sixtofour:
            candidates.insert(0, embedded)
    if any(c in net for c in candidates for net in allowed):
        return None
    for c in candidates:
        for label, bad in (
            ("unspecified", c.is_unspecified),
            ("loopback", c.is_loopback),
            ("link-local", c.is_link_local),
            ("multicast", c.is_multicast),
            ("reserved", c.is_reserved),
            ("private", c.is_private),
            ("non-public", not c.is_global),
        ):
            if bad:
                return f"{label} address"
    return None


def _redacted(url: URL) -> str:
    """Scheme, host and path only: query strings and user info may carry credentials."""
    return f"{url.scheme}://{url.host_port_subcomponent or ''}{url.raw_path}"


class StreamPreparer:
    """Picks the rendition to send to Chatsight. Uses the injected session; owns nothing to close.

    ``allow_networks`` holds IP networks or single addresses (``"127.0.0.1/32"``, ``"10.1.2.3"``)
    that the SSRF guard lets through. Hostnames are not accepted: the guard judges addresses, and
    a name would be only as trustworthy as the DNS answer. A bad entry raises ``ValueError``.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        allow_networks: Sequence[str] = (),
        max_bytes: int = 256 * 1024,
        timeout_s: float = 5.0,
        max_redirects: int = 3,
    ) -> None:
        self._http = http
        self._allowed = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s
        self._max_redirects = max_redirects

    async def prepare(self, url: str) -> PreparedStream:
        try:
            parsed = URL(url)
        except ValueError:
            log.info("stream prep kept the original URL: unparseable URL")
            return PreparedStream(url, url, "unparseable URL")
        if parsed.scheme in _UNFETCHED_SCHEMES:
            return PreparedStream(url, url, f"{parsed.scheme} stream, not fetched")
        try:
            async with asyncio.timeout(self._timeout_s):
                final, body = await self._fetch(parsed)
            chosen, reason = _pick(final, body)
        except _Fallback as exc:
            reason, level = exc.reason, exc.level
        except TimeoutError:
            reason, level = "timeout", logging.INFO
        except (aiohttp.ClientError, OSError) as exc:
            reason, level = f"fetch failed: {type(exc).__name__}", logging.INFO
        except Exception as exc:  # never let an odd stream break tagging
            reason, level = f"error: {type(exc).__name__}", logging.WARNING
        else:
            log.debug("stream prep for %s: %s", _redacted(parsed), reason)
            return PreparedStream(chosen, url, reason)
        log.log(level, "stream prep kept the original URL %s: %s", _redacted(parsed), reason)
        return PreparedStream(url, url, reason)

    async def _fetch(self, url: URL) -> tuple[URL, bytes]:
        """The body and final URL, following redirects ourselves so each hop is vetted."""
        for _ in range(self._max_redirects + 1):
            addresses = await self._vet(url)
            async with await self._open(url, addresses) as resp:
                if resp.status in _REDIRECT_STATUSES and "Location" in resp.headers:
                    url = url.join(URL(resp.headers["Location"]))
                    continue
                if not 200 <= resp.status < 300:
                    raise _Fallback(f"bad status {resp.status}")
                return url, await self._read_capped(resp)
        raise _Fallback("too many redirects")

    async def _vet(self, url: URL) -> list[str]:
        """The addresses of ``url``'s host, all of them allowed; IP literals need no lookup."""
        if url.scheme not in _FETCHED_SCHEMES:
            raise _refused(f"scheme {url.scheme or 'missing'}")
        host = url.raw_host
        if not host:
            raise _refused("no host")
        try:
            addresses: list[IPAddress] = [ipaddress.ip_address(host)]
        except ValueError:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, url.port, type=socket.SOCK_STREAM
            )
            addresses = list(dict.fromkeys(ipaddress.ip_address(i[4][0]) for i in infos))
        for ip in addresses:
            if problem := _address_problem(ip, self._allowed):
                raise _refused(problem)
        return [str(ip) for ip in addresses]

    async def _open(self, url: URL, addresses: Sequence[str]) -> aiohttp.ClientResponse:
        """Try the vetted addresses in order, like a resolver-driven connect would."""
        for address in addresses[:-1]:
            with contextlib.suppress(aiohttp.ClientConnectorError):
                return await self._request(url, address)
        return await self._request(url, addresses[-1])

    async def _request(self, url: URL, address: str) -> aiohttp.ClientResponse:
        return await self._http.get(
            url.with_host(address),
            headers={"Host": url.host_port_subcomponent or address},
            server_hostname=url.raw_host if url.scheme == "https" else None,
            allow_redirects=False,
            raise_for_status=False,
        )

    async def _read_capped(self, resp: aiohttp.ClientResponse) -> bytes:
        if resp.content_length is not None and resp.content_length > self._max_bytes:
            raise _Fallback("too large")
        body = bytearray()
        async for chunk in resp.content.iter_any():
            body += chunk
            if len(body) > self._max_bytes:
                raise _Fallback("too large")
        return bytes(body)


def _pick(final: URL, body: bytes) -> tuple[str, str]:
    """The URL of the chosen variant of a master playlist, and why."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("#EXTM3U"):
        raise _Fallback("not a playlist")
    try:
        playlist = m3u8.loads(text)
    except Exception as exc:
        raise _Fallback("parse error") from exc
    if not playlist.is_variant:
        raise _Fallback("media playlist")
    variant = choose_variant(variants_of(playlist, str(final)))
    if variant is None:
        raise _Fallback("no variants")
    if variant.resolution is not None:
        what = "variant {}x{}".format(*variant.resolution)
    else:
        what = "audio-only variant" if variant.audio_only else "variant of unknown resolution"
    return variant.uri, f"{what} chosen"

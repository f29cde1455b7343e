"""One polite HTTP client for every source: retries with backoff, rate limits, size limits.

- Network errors and 5xx answers are retried with exponential backoff.
- ``429 Too Many Requests`` waits for ``Retry-After`` and tries again (not an error).
- ``RateLimit-Remaining: 0`` pauses for ``RateLimit-Reset`` seconds before the next request.
- Requests to the same host are spaced by a politeness delay.
- Downloads stream to disk and stop at a size limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from weerbaar import __version__

USER_AGENT = f"weerbaar/{__version__} (lokaal onderzoek naar weerbaarheidsbeleid)"


class FetchError(Exception):
    """A request that failed after all retries; ``message`` is Dutch and meant for the report."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class Unreachable(FetchError):
    """The server could not be reached at all (no network, unknown name, connection refused):
    a problem of the network or the address, not of what the source answers."""


_SOCKET_REASONS = (  # words in the OS's message → what it means for the user
    (("Name or service not known", "nodename nor servname", "Temporary failure in name resolution",
      "No address associated", "getaddrinfo failed", "Name does not resolve"),
     "Geen netwerk of onbekend adres: de naam {host} is niet op te zoeken"),
    (("Connection refused", "Errno 111", "WinError 10061"),
     "Kan de server niet bereiken: {host} weigert de verbinding (klopt het adres, draait de server?)"),
    (("Network is unreachable", "Errno 101", "No route to host", "Errno 113"),
     "Geen netwerk: er is geen verbinding naar {host}"),
)


def unreachable_reason(exc: Exception, host: str) -> str | None:
    """A Dutch sentence when ``exc`` means the server cannot be reached at all, else None."""
    if isinstance(exc, httpx.ConnectTimeout):
        return (f"Kan de server niet bereiken: {host} antwoordt niet op een verbindingsverzoek "
                "(time-out; is er netwerk?)")
    if not isinstance(exc, httpx.ConnectError):
        return None
    text = str(exc)
    for needles, reason in _SOCKET_REASONS:
        if any(n in text for n in needles):
            return reason.format(host=host)
    return f"Kan de server niet bereiken: geen verbinding met {host} ({text or type(exc).__name__})"


@dataclass
class HttpSettings:
    retries: int = 4
    backoff: float = 1.0  # seconds; doubled after every failed attempt
    delay: float = 1.0  # politeness: minimum seconds between requests to one host
    timeout: float = 30.0
    max_retry_after: float = 120.0


@dataclass
class Http:
    settings: HttpSettings = field(default_factory=HttpSettings)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _client: httpx.Client | None = None
    _last: dict[str, float] = field(default_factory=dict)
    _paused_until: dict[str, float] = field(default_factory=dict)
    # Hosts found unreachable after all retries: the rest of the run fails them at once instead
    # of waiting out the backoff again per URL (an offline laptop and a list of 500 addresses).
    _unreachable: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=self.settings.timeout,
                                        follow_redirects=True)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _wait_turn(self, host: str) -> None:
        now = self.clock()
        ready = max(self._last.get(host, -1e9) + self.settings.delay, self._paused_until.get(host, -1e9))
        if ready > now:
            self.sleep(ready - now)
        self._last[host] = self.clock()

    def _note_limits(self, host: str, response: httpx.Response) -> None:
        remaining = response.headers.get("RateLimit-Remaining")
        reset = response.headers.get("RateLimit-Reset")
        if remaining is not None and reset is not None and remaining.strip() == "0":
            try:
                self._paused_until[host] = self.clock() + min(float(reset), self.settings.max_retry_after)
            except ValueError:
                pass

    def request(self, method: str, url: str, *, stream_to: Path | None = None, max_bytes: int | None = None,
                **kwargs) -> httpx.Response:
        """Send with retries; with ``stream_to`` the body is written there (at most ``max_bytes``)."""
        host = urlsplit(url).netloc
        if host in self._unreachable:
            raise Unreachable(f"{self._unreachable[host]} (eerder in deze run; niet opnieuw geprobeerd).")
        attempt, wait = 0, self.settings.backoff
        while True:
            self._wait_turn(host)
            try:
                if stream_to is None:
                    response = self.client.request(method, url, **kwargs)
                else:
                    response = self._download(method, url, stream_to, max_bytes, **kwargs)
            except (httpx.TransportError, httpx.DecodingError) as exc:
                attempt += 1
                if attempt > self.settings.retries:
                    reason = unreachable_reason(exc, host)
                    if reason:
                        self._unreachable[host] = reason
                        tries = "poging" if attempt == 1 else "pogingen"
                        raise Unreachable(f"{reason} (na {attempt} {tries}).") from exc
                    raise FetchError(f"Netwerkfout na {attempt} pogingen: {type(exc).__name__}: {exc}") from exc
                self.sleep(wait)
                wait *= 2
                continue
            self._note_limits(host, response)
            if response.status_code == 429:
                retry_after = _seconds(response.headers.get("Retry-After"), wait)
                attempt += 1
                if attempt > self.settings.retries + 4:
                    raise FetchError("De bron blijft 'te veel verzoeken' (429) antwoorden.", 429)
                self.sleep(min(retry_after, self.settings.max_retry_after))
                continue
            if response.status_code >= 500 and response.status_code != 501:  # 501: never works, no retry
                attempt += 1
                if attempt > self.settings.retries:
                    raise FetchError(f"De server antwoordt met fout {response.status_code} (na {attempt} pogingen).",
                                     response.status_code)
                self.sleep(wait)
                wait *= 2
                continue
            return response

    def _download(self, method, url, target: Path, max_bytes: int | None, **kwargs) -> httpx.Response:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".deel")
        with self.client.stream(method, url, **kwargs) as response:
            if response.status_code != 200:
                response.read()
                return response
            declared = int(response.headers.get("Content-Length") or 0)
            if max_bytes and declared > max_bytes:
                raise FetchError(f"Bestand te groot ({declared / 2**20:.0f} MB; grens {max_bytes / 2**20:.0f} MB).")
            size = 0
            with partial.open("wb") as fh:
                for chunk in response.iter_bytes(1 << 16):
                    size += len(chunk)
                    if max_bytes and size > max_bytes:
                        fh.close()
                        partial.unlink(missing_ok=True)
                        raise FetchError(f"Bestand te groot (meer dan {max_bytes / 2**20:.0f} MB).")
                    fh.write(chunk)
            if declared and size < declared:
                partial.unlink(missing_ok=True)
                raise httpx.RemoteProtocolError(f"afgebroken na {size} van {declared} bytes")
        partial.replace(target)
        return response

    def check(self, url: str) -> int:
        """The status a URL answers with, without downloading it: HEAD, or a GET whose body is
        not read when the server does not do HEAD."""
        status = self.request("HEAD", url).status_code
        if status in (405, 501):
            host = urlsplit(url).netloc
            self._wait_turn(host)
            try:
                with self.client.stream("GET", url) as response:
                    status = response.status_code
            except (httpx.TransportError, httpx.DecodingError) as exc:
                reason = unreachable_reason(exc, host)
                error = Unreachable(f"{reason}.") if reason else FetchError(f"Netwerkfout: {exc}")
                raise error from exc
        return status

    def get_json(self, url: str, **kwargs):
        response = self.request("GET", url, **kwargs)
        return _json_or_error(response)

    def post_json(self, url: str, body: dict, **kwargs):
        response = self.request("POST", url, json=body, **kwargs)
        return _json_or_error(response)


def _json_or_error(response: httpx.Response):
    if response.status_code >= 400:
        detail = ""
        try:
            data = response.json()
            detail = f": {data.get('error') or data.get('message') or data}"
        except ValueError:
            pass
        raise FetchError(f"De bron antwoordt met fout {response.status_code}{detail}", response.status_code)
    try:
        return response.json()
    except ValueError as exc:
        raise FetchError("De bron gaf geen geldige JSON terug.") from exc


def _seconds(value: str | None, default: float) -> float:
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default

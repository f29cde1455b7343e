"""Crawling a safety region's (or any organisation's) own website for its documents.

Within the site's domain only: the sitemap first (robots.txt ``Sitemap:`` lines, else
``/sitemap.xml``; sitemap indexes are followed), then links from pages, breadth first up to a
depth and a page limit. robots.txt is respected (``protego``: wildcards and ``Allow`` as modern
crawlers read them), and requests are spaced by the politeness delay of :class:`Http`.

A document (PDF, Word, ODT) is fetched when its link text, file name or URL matches the filter
(default: begroting, jaarverslag, jaarstukken, beleidsplan, risicoprofiel, weerbaarheid, …).
HTML pages themselves are fetched only when their text matches and ``--paginas`` is given.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from defusedxml import ElementTree
from protego import Protego
from selectolax.lexbor import LexborHTMLParser

from weerbaar.fetch.http import USER_AGENT, FetchError, Http, Unreachable
from weerbaar.fetch.pipeline import Candidate

DEFAULT_FILTER = ["begroting", "jaarverslag", "jaarstukken", "jaarrekening", "beleidsplan", "risicoprofiel",
                  "weerbaar", "crisisplan", "programmaplan", "kadernota", "noodsteunpunt", "continuiteit"]
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".odt")
_SITEMAP_NS = re.compile(r"\{[^}]+\}")


@dataclass
class CrawlSettings:
    depth: int = 3
    max_pages: int = 500
    filter: tuple[str, ...] = tuple(DEFAULT_FILTER)
    pages_too: bool = False


def _norm(url: str) -> str:
    return urldefrag(url)[0]


def _same_site(url: str, host: str) -> bool:
    netloc = urlsplit(url).netloc.lower()
    return netloc == host or netloc.endswith("." + host.removeprefix("www."))


def _matches(texts: list[str], words: tuple[str, ...]) -> bool:
    haystack = " ".join(t.lower() for t in texts if t)
    haystack = haystack.replace("ï", "i").replace("-", " ").replace("_", " ")
    return any(w.lower() in haystack for w in words)


class Crawler:
    def __init__(self, http: Http, start: str, settings: CrawlSettings, organisation: str | None = None,
                 organisation_type: str | None = None):
        self.http, self.start, self.settings = http, start, settings
        self.host = urlsplit(start).netloc.lower()
        self.organisation, self.organisation_type = organisation, organisation_type
        self.robots = self._robots()
        self.skipped_by_robots: list[str] = []

    def _robots(self) -> Protego:
        root = f"{urlsplit(self.start).scheme}://{self.host}"
        try:
            response = self.http.request("GET", root + "/robots.txt")
            text = response.text if response.status_code == 200 else ""
        except Unreachable:  # the whole site is out of reach: nothing else will work either
            raise
        except FetchError:
            text = ""
        return Protego.parse(text)

    def allowed(self, url: str) -> bool:
        ok = self.robots.can_fetch(url, USER_AGENT)
        if not ok:
            self.skipped_by_robots.append(url)
        return ok

    def _sitemap_urls(self) -> list[str]:
        root = f"{urlsplit(self.start).scheme}://{self.host}"
        queue = list(self.robots.sitemaps) or [root + "/sitemap.xml"]
        seen: set[str] = set()
        found: list[str] = []
        while queue and len(seen) < 50:
            sitemap = queue.pop(0)
            if sitemap in seen or not _same_site(sitemap, self.host):
                continue
            seen.add(sitemap)
            try:
                response = self.http.request("GET", sitemap)
                if response.status_code != 200:
                    continue
                tree = ElementTree.fromstring(response.content)
            except (FetchError, ElementTree.ParseError, ValueError):
                continue
            kind = _SITEMAP_NS.sub("", tree.tag)
            for loc in tree.iter():
                if _SITEMAP_NS.sub("", loc.tag) == "loc" and loc.text:
                    (queue if kind == "sitemapindex" else found).append(loc.text.strip())
        return found

    def candidates(self) -> Iterator[Candidate]:
        """Documents worth fetching, each once, in the order found."""
        seen_docs: set[str] = set()
        queue: deque[tuple[str, int]] = deque([(self.start, 0)])
        for url in self._sitemap_urls():
            queue.append((url, 1))
        visited: set[str] = set()
        pages = 0
        while queue and pages < self.settings.max_pages:
            url, depth = queue.popleft()
            url = _norm(url)
            if url in visited or not _same_site(url, self.host) or not self.allowed(url):
                continue
            visited.add(url)
            if url.lower().endswith(DOCUMENT_SUFFIXES):
                if url not in seen_docs and _matches([url.rsplit("/", 1)[-1]], self.settings.filter):
                    seen_docs.add(url)
                    yield self._candidate(url, None)
                continue
            try:
                response = self.http.request("GET", url)
            except FetchError as exc:
                if url == self.start:  # no start page, no crawl: say why instead of finding nothing
                    raise type(exc)(f"De beginpagina {url} is niet op te halen. {exc.message}", exc.status) from None
                continue
            pages += 1
            if url == self.start and response.status_code != 200:
                raise FetchError(f"De beginpagina {url} antwoordt met {response.status_code}.", response.status_code)
            if response.status_code != 200 or "html" not in response.headers.get("Content-Type", "html"):
                continue
            tree = LexborHTMLParser(response.text)
            if self.settings.pages_too and url != self.start:
                body = tree.body.text(separator=" ") if tree.body else ""
                title = tree.css_first("title")
                if _matches([body[:5000]], self.settings.filter):
                    yield self._candidate(url, title.text(strip=True) if title else None, "text/html")
            for a in tree.css("a[href]"):
                link = _norm(urljoin(url, a.attributes.get("href") or ""))
                if not link.startswith(("http://", "https://")) or not _same_site(link, self.host):
                    continue
                text = a.text(strip=True)
                if link.lower().endswith(DOCUMENT_SUFFIXES):
                    if link not in seen_docs and _matches([text, link.rsplit("/", 1)[-1]], self.settings.filter) \
                            and self.allowed(link):
                        seen_docs.add(link)
                        yield self._candidate(link, text or None)
                elif depth + 1 <= self.settings.depth and link not in visited:
                    queue.append((link, depth + 1))

    def _candidate(self, url: str, title: str | None, content_type: str | None = None) -> Candidate:
        return Candidate(url=url, source="website", source_id=url, version=None, organisation=self.organisation,
                         organisation_type=self.organisation_type, title=title, content_type=content_type)


def probe(http: Http, start: str, words: tuple[str, ...] = tuple(DEFAULT_FILTER)) -> tuple[bool, str]:
    """Can the site be crawled? Its robots.txt and start page, and the document links found there."""
    try:
        crawler = Crawler(http, start, CrawlSettings(depth=0, max_pages=1, filter=words))
        if not crawler.robots.can_fetch(start, USER_AGENT):
            return False, f"robots.txt van {crawler.host} staat niet toe dat weerbaar {start} bekijkt."
        response = http.request("GET", start)
    except Unreachable as exc:
        return False, f"De website is niet te bereiken. {exc.message}"
    except FetchError as exc:
        return False, f"De website antwoordt niet zoals verwacht: {exc.message}"
    if response.status_code != 200:
        return False, f"De beginpagina {start} antwoordt met {response.status_code}."
    if "html" not in response.headers.get("Content-Type", "html"):
        return False, f"De beginpagina is geen HTML maar {response.headers.get('Content-Type')}."
    anchors = LexborHTMLParser(response.text).css("a[href]")
    links = [_norm(urljoin(start, a.attributes.get("href") or "")) for a in anchors]
    documents = [u for u in links if u.lower().endswith(DOCUMENT_SUFFIXES)]
    return True, (f"De website antwoordt; de beginpagina heeft {len(links)} links, waarvan {len(documents)} naar "
                  "documenten (PDF, Word, ODT). Dieper in de site kunnen er meer zijn.")

"""Internal links of a bundle: every relative link must name a file of the bundle, and its
anchor an element of that page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))


def parse(page: Path) -> Anchors:
    parser = Anchors()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(bundle: Path) -> list[str]:
    """Every link of every page that leaves the bundle or does not resolve."""
    pages = sorted(bundle.rglob("*.html"))
    parsed = {page: parse(page) for page in pages}
    broken = []
    for page, anchors in parsed.items():
        for href in anchors.hrefs:
            parts = urlsplit(href)
            where = f"{page.relative_to(bundle)}: {href}"
            if parts.scheme or parts.netloc:
                broken.append(f"{where} (leaves the bundle)")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html" and \
                    parts.fragment not in parsed[target].ids:
                broken.append(f"{where} (no such anchor)")
    return broken

"""HTML of a site without a source file → title, date and clean body (the general path).

The rendered text (crawler/render.py) is read by the same general rules as any text page, so a
page means the same whether it arrives as HTML or as text. trafilatura (Apache-2.0) adds what
markup knows: its main-text extraction keeps the body to the article (menus, sidebars, footers
out), its title and the page's <h1> headings name the headline. The page date comes from the
visible text first; only without one, htmldate (Apache-2.0) reads it from the markup's metadata,
with `extensive_search=False` so that no date is ever taken from the body text.
"""

from __future__ import annotations

import logging
import re

from lxml import etree

from .layout import PressRelease, parse_page
from .render import parse_document, render_text
from .structure import TextRules, fold, general_rules, normalize_space, words

logger = logging.getLogger(__name__)
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# A body line is the article's when this share of its words is in trafilatura's main text.
MAIN_TEXT_SHARE = 0.7
# If keeping only such lines would drop more than this share of the body, trafilatura missed the
# article (short pages, unusual markup) and the structural body is kept as it is.
MAX_DROPPED_SHARE = 0.6
_TITLE_PARTS = re.compile(r"\s+[|–—:-]\s+|\s+::\s+")


def read_html(html: str, url: str | None = None, *, furniture: frozenset[str] = frozenset(),
              rules: TextRules | None = None) -> PressRelease:
    """The general reading of an HTML page; raises LayoutError when it shows no text at all."""
    rules = rules or general_rules()
    root = parse_document(html)
    text = render_text(root) if root is not None else ""
    headings = _headings(root)
    main, meta_title = _main_text(html, url)
    hints = _title_hints(meta_title, rules)
    release = parse_page(text, None, url=url, furniture=furniture, hints=hints, headings=headings, rules=rules)
    if release.kind == "article" and main:
        release.body = _keep_main(release.body, main)
    if release.published is None and release.kind == "article" and release.title:
        release.published = _page_date(html)
    return release


def _headings(root: etree._Element | None) -> list[str]:
    if root is None:
        return []
    return [normalize_space(h.text_content()) for h in root.iter("h1") if normalize_space(h.text_content())]


def _main_text(html: str, url: str | None) -> tuple[str, str | None]:
    """trafilatura's main text and title of the page ('' and None when it finds none)."""
    try:
        import trafilatura

        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, deduplicate=False)
    except Exception as problem:  # a parser crash on one odd page must not stop a batch
        logger.debug("trafilatura failed on %s: %s", url, problem)
        return "", None
    if document is None:
        return "", None
    text = getattr(document, "text", None) or ""
    title = getattr(document, "title", None)
    return text, title


def _title_hints(title: str | None, rules: TextRules) -> list[list[str]]:
    """The words of the longest part of an HTML title (`<headline> | <site>`) as a headline hint."""
    if not title:
        return []
    parts = [p for p in _TITLE_PARTS.split(title) if p.strip()]
    longest = max(parts, key=len) if parts else title
    tokens = [fold(w) for w in words(longest)]
    tokens = [t for t in tokens if len(t) >= 2 and t not in rules.slug_stopwords and not t.isdigit()]
    return [tokens] if len(tokens) >= 2 else []


def _keep_main(body: str, main: str) -> str:
    """The body's lines that trafilatura also counts as main text (furniture the text rules missed
    is dropped); the body unchanged when that would drop most of it."""
    main_words = {w.lower() for w in words(main)}
    if not main_words:
        return body
    kept_blocks = []
    dropped = total = 0
    for block in body.split("\n\n"):
        kept = []
        for line in block.split("\n"):
            tokens = [w.lower() for w in words(line)]
            total += len(line)
            if not tokens or sum(t in main_words for t in tokens) / len(tokens) >= MAIN_TEXT_SHARE:
                kept.append(line)
            else:
                dropped += len(line)
        if kept:
            kept_blocks.append("\n".join(kept))
    if total and dropped / total > MAX_DROPPED_SHARE:
        return body
    return "\n\n".join(kept_blocks)


def _page_date(html: str) -> str | None:
    """The publication date in the page's metadata (never from its body text): htmldate sees only
    the page's <head> and its <time datetime> elements."""
    root = parse_document(html)
    if root is None:
        return None
    head = root.find("head")
    times = [etree.tostring(t, encoding="unicode") for t in root.iter("time") if t.get("datetime")]
    markup = (f"<html>{etree.tostring(head, encoding='unicode') if head is not None else ''}"
              f"<body>{''.join(times)}</body></html>")
    try:
        from htmldate import find_date

        return find_date(markup, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception as problem:
        logger.debug("htmldate failed: %s", problem)
        return None


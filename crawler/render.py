"""HTML → the text a browser shows (block elements on their own lines).

The press parser keys on this rendered text, not on markup, because the markup of the real
sites is unknown and changed over twenty years while the text layout stayed.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from kommunalmonitor.core.text import strip_controls

_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "object", "svg", "select"}
# Blocks that browsers separate by a blank line (paragraph-like) ...
_PARAGRAPH = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "table",
    "ul",
    "ol",
    "pre",
    "hr",
    "dl",
    "form",
    "figure",
}
# ... and blocks that only start a new line.
_LINE = {
    "div",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "li",
    "tr",
    "dt",
    "dd",
    "address",
    "center",
    "caption",
    "tbody",
    "thead",
    "tfoot",
    "body",
    "html",
    "fieldset",
    "legend",
    "figcaption",
    "details",
    "summary",
}
_CELL = {"td", "th"}

_HSPACE = re.compile(r"[ \t\r\f\v\u00a0\u2007\u202f]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


def decode_page(body: bytes, declared_text: str) -> tuple[str, str | None]:
    """The page text, repaired when the declared charset was wrong.

    Old municipal servers often declare UTF-8 while sending windows-1252 bytes; a browser then
    shows replacement characters, but the bytes are intact. Returns (text, note on repair).
    """
    if "\ufffd" not in declared_text:
        return declared_text, None
    try:
        body.decode("utf-8")
        return declared_text, None  # the replacement characters are really in the page
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("windows-1252"), "declared charset was wrong; decoded as windows-1252"
    except UnicodeDecodeError:
        return declared_text, None


def parse_document(html: str | bytes) -> etree._Element | None:
    """The lxml tree of a page, or None if there is nothing to parse."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def render_text(html: str | bytes | etree._Element, content_css: str = "") -> str:
    """Rendered text of an HTML page (or its parsed tree); `content_css` narrows it to one element."""
    root = html if isinstance(html, etree._Element) else parse_document(html)
    if root is None:
        return ""
    if content_css:
        found = root.cssselect(content_css)
        if found:
            root = found[0]
    out: list[str] = []
    _walk(root, out)
    text = strip_controls("".join(out))  # `&#27;` in a page is an ESC character after parsing
    # One pass over the whole text: horizontal space never spans a line break.
    lines = [line.strip() for line in _HSPACE.sub(" ", text).split("\n")]
    return _MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()


def _walk(element: etree._Element, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.lower()
    if tag in _SKIP or not tag:
        # Comments and processing instructions have a non-string tag; keep their tail text.
        if element.tail:
            out.append(_inline(element.tail))
        return
    if tag == "br":
        out.append("\n")
    else:
        separator = "\n\n" if tag in _PARAGRAPH else "\n" if tag in _LINE else ""
        out.append(separator)
        if element.text:
            out.append(_inline(element.text))
        for child in element:
            _walk(child, out)
        out.append(separator)
        if tag in _CELL:
            out.append("\t")
    if element.tail:
        out.append(_inline(element.tail))


def _inline(text: str) -> str:
    # Source newlines inside a block are just spaces to a browser.
    return text.replace("\r", " ").replace("\n", " ")

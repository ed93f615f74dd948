"""A PDF file's bytes → clean text per page, scanned pages OCR'd.

Text comes from PDFium (through pypdfium2, Apache-2.0/BSD) by character boxes, so the
layout is ours to rebuild: running headers and footers dropped, end-of-line hyphenation
joined, two-column pages read left column then right, table rows kept one per line with
cells separated by a tab. A page without a text layer is rendered and read by the
Tesseract binary (`-l deu`); where Tesseract or its language is missing the page is
flagged `ocr_needed` instead.

Bad input of any kind raises `PdfError` with a machine-readable `reason`; nothing else
escapes for a bad file. Imports: the standard library, pypdfium2 and Pillow only, so the
crawler can use this without the pipeline package.

PDFium is not thread-safe, so every call into it holds one module lock; the OCR
subprocess runs outside the lock.
"""

from __future__ import annotations

import ctypes
import functools
import io
import math
import os
import re
import statistics
import subprocess
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# Bump whenever a change here can change the text of some file: the store re-extracts a
# file when its content hash or this string differs. Library upgrades (PDFium, Tesseract)
# do not bump it on their own; bump it by hand when an upgrade is seen to change output.
EXTRACTOR_VERSION = "pdftext-1"

REASONS = ("not_pdf", "too_large", "truncated", "corrupt", "encrypted", "timeout")

_PDFIUM_LOCK = threading.Lock()


class PdfError(Exception):
    """A file that cannot be read as a PDF. `reason` is one of `REASONS`; str() is one line."""

    def __init__(self, reason: str, message: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown PdfError reason {reason!r}")
        message = " ".join(message.split())  # one line, whatever a library put in it
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class PdfLimits:
    """Caps per file. `max_bytes` and `max_seconds` raise `PdfError`; `max_pages` keeps
    the first pages (see `PdfText.truncated_pages`).

    `max_seconds` is checked between pages and bounds each OCR call, so one file never
    runs much past it. `ocr_timeout` bounds one page's OCR: a page over it is flagged
    `ocr_needed`, the rest of the file is still read. `tesseract` is the command to run;
    `ocr=False` flags pages that would need OCR as `ocr_needed` without running it.
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    max_seconds: float = 120.0
    ocr: bool = True
    ocr_dpi: int = 300
    ocr_timeout: float = 60.0
    ocr_lang: str = "deu"
    tesseract: str = "tesseract"


@dataclass(frozen=True)
class PdfPage:
    """One page: `number` is 1-based; `ocr` says the text came from Tesseract;
    `ocr_needed` says the page has no text layer and was not OCR'd (its text is empty)."""

    number: int
    text: str
    ocr: bool = False
    ocr_needed: bool = False


@dataclass(frozen=True)
class PdfText:
    """The pages read, in order. `page_count` is the document's page count; when it is
    over the page cap only the first `max_pages` pages are in `pages` and
    `truncated_pages` is True."""

    pages: list[PdfPage]
    page_count: int
    truncated_pages: bool = False
    ocr_pages: int = 0
    ocr_needed_pages: int = 0
    extractor_version: str = field(default=EXTRACTOR_VERSION)

    @property
    def text(self) -> str:
        """All pages' text joined with a form feed, so page k is `text.split("\\f")[k - 1]`."""
        return "\f".join(page.text for page in self.pages)


# --------------------------------------------------------------------------- layout


@dataclass
class _Run:
    """Characters that sit next to each other on one line, in content-stream order."""

    text: str
    x0: float
    x1: float
    y0: float  # bottom (PDF y grows upwards)
    y1: float  # top
    word_gap: float = 0.0  # the widest gap between two of its words (0: one word)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


# Horizontal gaps are judged in units of the character box height (about 1.15 em for
# common fonts). A gap with no space character wider than this starts a new run (table
# cell, column gutter); words set without space characters (PDFium generates those) are
# never that far apart.
_CELL_GAP = 0.7
# Justified text puts its stretch after a real space character: a gap that follows a
# space only splits a run when it is much wider than any plausible word spacing.
_CELL_GAP_AFTER_SPACE = 2.0
# A gap this wide without a space character is still a word break.
_WORD_GAP = 0.25

_LINE_BREAKS = {"\r", "\n"}
_ANGLE_TOLERANCE = 0.05  # radians (about 3 degrees): slightly skewed text is still a line


def _page_runs(textpage: pdfium.PdfTextPage) -> tuple[list[_Run], list[str]]:
    """Group the page's characters into runs: stream order, one line, no wide gap.

    Also returns the text set at an angle (vertical margin notes, upside-down labels) as
    separate strings in stream order: their boxes would otherwise cut into every body
    line they pass.
    """
    count = textpage.count_chars()
    if count <= 0:
        return [], []
    tp = textpage.raw  # the raw handle: the helper object converts itself on every call
    text = textpage.get_text_range(0, count)
    # get_text_range is one call for the page; it maps 1:1 to char indices unless a
    # character lies outside the BMP (two UTF-16 units), then fall back to per-char reads.
    if len(text) != count:
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(tp, i)) for i in range(count))
    box = pdfium_c.FS_RECTF()
    box_ref = ctypes.byref(box)
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    is_generated = pdfium_c.FPDFText_IsGenerated
    get_angle = pdfium_c.FPDFText_GetCharAngle
    runs: list[_Run] = []
    rotated: list[str] = []
    turned: list[str] = []  # the current string of rotated characters
    parts: list[str] = []
    x0 = x1 = y0 = y1 = word_gap = 0.0
    last_bottom = last_top = 0.0
    last_index = 0
    space = False  # a space character since the last visible one
    space_right = None  # right edge of a real (not generated) space, if any

    def close() -> None:
        # Broken font matrices can give infinite or NaN boxes; such runs have no place.
        if parts and all(math.isfinite(v) for v in (x0, x1, y0, y1)):
            runs.append(_Run("".join(parts), x0, x1, y0, y1, word_gap))

    def close_turned() -> None:
        if turned:
            rotated.append("".join(turned).strip())
            turned.clear()

    for i in range(count):
        ch = text[i]
        if ch in _LINE_BREAKS:
            close_turned()
            continue
        if ch.isspace():
            space = True
            if not is_generated(tp, i):
                get_box(tp, i, box_ref)
                space_right = box.right
            continue
        get_box(tp, i, box_ref)
        left, right, bottom, top = box.left, box.right, box.bottom, box.top
        if top < bottom:
            bottom, top = top, bottom
        height = top - bottom
        if height <= 0:
            # Zero-height boxes come from broken font metrics; give them a nominal height
            # so they still join their neighbours.
            height = 1.0
            top = bottom + 1.0
        if parts:
            last_height = last_top - last_bottom
            low = bottom if bottom > last_bottom else last_bottom
            high = top if top < last_top else last_top
            small, scale = (height, last_height) if height < last_height else (last_height, height)
            joins = high - low >= 0.5 * small  # same line
            if joins:
                if space_right is not None:
                    gap = left - (x1 if x1 > space_right else space_right)
                    if gap >= _CELL_GAP_AFTER_SPACE * scale:
                        # Justified text stretches the space inside one text object; a
                        # table cell or another column is a text object of its own.
                        joins = _text_object(tp, i) == _text_object(tp, last_index)
                else:
                    gap = left - x1
                    joins = gap < _CELL_GAP * scale
                joins = joins and gap > -0.5 * scale
            if joins:
                close_turned()
                if space or gap > _WORD_GAP * scale:
                    parts.append(" ")
                    if left - x1 > word_gap:
                        word_gap = left - x1
                parts.append(ch)
                if left < x0:
                    x0 = left
                if right > x1:
                    x1 = right
                if bottom < y0:
                    y0 = bottom
                if top > y1:
                    y1 = top
                last_bottom, last_top = bottom, top
                last_index = i
                space = False
                space_right = None
                continue
        # Only a character that starts a run is asked for its angle: one that continues a
        # horizontal run is horizontal, and asking every character costs a tenth more time.
        angle = get_angle(tp, i)
        if _ANGLE_TOLERANCE < angle < 2 * math.pi - _ANGLE_TOLERANCE:
            if space and turned:
                turned.append(" ")
            turned.append(ch)
            space = False
            space_right = None
            continue
        close_turned()
        close()
        parts = [ch]
        word_gap = 0.0
        x0, x1, y0, y1 = left, right, bottom, top
        last_bottom, last_top = bottom, top
        last_index = i
        space = False
        space_right = None
    close()
    close_turned()
    return runs, [t for t in rotated if t]


def _text_object(textpage: object, index: int) -> int | None:
    """An id of the page object that drew character `index` (None if PDFium has none)."""
    return ctypes.cast(pdfium_c.FPDFText_GetTextObject(textpage, index), ctypes.c_void_p).value


def _group_lines(runs: list[_Run]) -> list[list[_Run]]:
    """Runs → lines, top to bottom, each line's runs left to right.

    A run joins a line when it overlaps the line's first run vertically by half the
    smaller height; comparing with the first run (not the growing union) keeps lines of
    slightly different baselines from chaining into one.
    """
    lines: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: -(r.y0 + r.y1)):
        if lines:
            head = lines[-1][0]
            overlap = min(run.y1, head.y1) - max(run.y0, head.y0)
            if overlap >= 0.5 * min(run.height, head.height):
                lines[-1].append(run)
                continue
        lines.append([run])
    for line in lines:
        line.sort(key=lambda r: r.x0)
    return lines


def _line_text(line: list[_Run]) -> str:
    """One line's runs joined: a tab where the gap is a cell gap, else a space or nothing.

    A wide gap is still a word space when it is no wider than the line's own word
    spacing allows: a justified line set without space characters (TeX, some PDF
    printers) splits into runs at every stretched gap, all of about the same width, and
    a sentence gap is at most about twice the words' gap.
    """
    gaps = [run.x0 - prev.x1 for prev, run in zip(line, line[1:], strict=False)]
    spaced = max((r.word_gap for r in line), default=0.0)
    wide = [g for g in gaps if g >= _CELL_GAP * max(r.height for r in line)]
    justified = len(wide) >= 2 and max(wide) <= 1.3 * min(wide) and all(" " not in r.text for r in line)
    out = [line[0].text]
    for prev, run, gap in zip(line, line[1:], gaps, strict=False):
        scale = max(prev.height, run.height)
        if gap >= _CELL_GAP * scale and not justified and not (spaced > 0 and gap <= 2.0 * spaced):
            out.append("\t")
        elif gap > 0.1 * scale:
            out.append(" ")
        out.append(run.text)
    return "".join(out)


def _lines_text(lines: list[list[_Run]]) -> list[str]:
    """Lines → strings, with an empty string where the vertical gap marks a new paragraph."""
    out: list[str] = []
    prev_bottom = prev_height = None
    for line in lines:
        top = max(r.y1 for r in line)
        bottom = min(r.y0 for r in line)
        height = max(r.height for r in line)
        if prev_bottom is not None and prev_bottom - top > 0.8 * min(height, prev_height):
            out.append("")
        out.append(_line_text(line))
        prev_bottom, prev_height = bottom, height
    return out


def _gutter(runs: list[_Run], page_width: float) -> float | None:
    """The x of the emptiest vertical strip in the middle half of the page, or None."""
    lo, hi = 0.25 * page_width, 0.75 * page_width
    step = 2.0
    slots = int((hi - lo) / step) + 1
    if slots < 2:
        return None
    crossing = [0] * slots
    for run in runs:
        # A run crosses slot x when it covers x with more than a point to spare.
        first = max(0, math.ceil((run.x0 + 1 - lo) / step))
        last = min(slots - 1, math.floor((run.x1 - 1 - lo) / step))
        for s in range(first, last + 1):
            crossing[s] += 1
    fewest = min(crossing)
    best_start, best_len, start = 0, 0, None
    for s in range(slots + 1):
        if s < slots and crossing[s] == fewest:
            if start is None:
                start = s
        elif start is not None:
            if s - start > best_len:
                best_start, best_len = start, s - start
            start = None
    return lo + step * (best_start + (best_len - 1) / 2)


def _is_column_pair(left: list[_Run], right: list[_Run], page_width: float) -> bool:
    """True when both sides look like running text rather than table cells: at least three
    lines each, lines that fill their side, sides wider than a fifth of the page."""
    if len(left) < 3 or len(right) < 3:
        return False
    for side in (left, right):
        extent = max(r.x1 for r in side) - min(r.x0 for r in side)
        if extent < 0.2 * page_width:
            return False
        if statistics.median(r.x1 - r.x0 for r in side) < 0.5 * extent:
            return False
    return True


def _layout(runs: list[_Run], page_width: float) -> list[str]:
    """Runs of one page → its lines in reading order.

    Lines that cross the gutter (headings, full-width paragraphs, tables) split the page
    into zones; a zone whose two sides both read as running text is emitted left column
    first, then right column; everything else line by line, cells joined by tabs.
    """
    if not runs:
        return []
    lines = _group_lines(runs)
    gutter = _gutter(runs, page_width) if len(runs) >= 6 else None
    if gutter is None:
        return _lines_text(lines)
    # Consecutive lines that do (not) cross the gutter form one zone.
    zones: list[tuple[bool, list[list[_Run]]]] = []
    for line in lines:
        crossing = any(r.x0 < gutter < r.x1 for r in line)
        if zones and zones[-1][0] == crossing:
            zones[-1][1].append(line)
        else:
            zones.append((crossing, [line]))
    blocks: list[list[list[_Run]]] = [[]]
    for crossing, zone_lines in zones:
        zone = [r for line in zone_lines for r in line]
        left = [r for r in zone if r.x1 <= gutter]
        right = [r for r in zone if r.x0 >= gutter]
        if not crossing and _is_column_pair(left, right, page_width):
            blocks += [_group_lines(left), _group_lines(right), []]
        else:
            blocks[-1].extend(zone_lines)
    out: list[str] = []
    for block in blocks:
        if block:
            out += [*_lines_text(block), ""]
    return _collapse_blank(out)


def _collapse_blank(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


# --------------------------------------------------------------------------- cleaning

_LIGATURES = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
}
_CHAR_MAP = {
    **{ord(k): v for k, v in _LIGATURES.items()},
    0x00A0: " ", 0x2007: " ", 0x202F: " ", 0x2009: " ",
    0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None,
    0x2010: "-", 0x2011: "-",
    # PDFium reports a hyphen it judged to end a line as U+0002 (U+FFFE via get_text_range).
    0x0002: "-", 0xFFFE: "-",
    0xF0B7: "•", 0xF0A7: "▪",  # Symbol/Wingdings bullets in the private use area
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ ]{2,}")
# Some fonts (old TeX ones) give the diaeresis as its own spacing character.
_LOOSE_DIAERESIS = re.compile(r"¨\s?([aouAOU])|([aouAOU])¨")
_UMLAUT = {"a": "ä", "o": "ö", "u": "ü", "A": "Ä", "O": "Ö", "U": "Ü"}


def _clean_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line.translate(_CHAR_MAP))
    line = _CONTROL.sub("", line)
    if "¨" in line:
        line = _LOOSE_DIAERESIS.sub(lambda m: _UMLAUT[m.group(1) or m.group(2)], line)
    if "\t" in line:
        line = "\t".join(_SPACES.sub(" ", cell).strip() for cell in line.split("\t"))
    return _SPACES.sub(" ", line).strip()


# A suspended hyphen ("Kinder- und Jugendhilfe") is followed by one of these.
_SUSPENDED = {"und", "oder", "bzw", "bzw.", "sowie", "wie", "als", "noch", "u.", "o.", "bis", "respektive"}
_HYPHEN_END = re.compile(r"(?<=\w)([-\u00ad])$")


def _dehyphenate(lines: list[str]) -> list[str]:
    """Join words broken at line ends; the joined word moves up to the first line.

    `Integra-` + `tionskonzept` → `Integrationskonzept`; a capital or digit after the
    hyphen keeps it (`Heinrich-` + `Lübke-Straße`); a conjunction after it keeps it with a
    space (`Kinder-` + `und`). A soft hyphen at a line end always joins. Table lines
    (with tabs) and paragraph breaks are left alone.
    """
    out = list(lines)
    gone: set[int] = set()
    target = None  # the last line still standing, which a word may join
    for j, nxt in enumerate(out):
        line = out[target] if target is not None else ""
        match = _HYPHEN_END.search(line)
        if match and nxt and "\t" not in line and "\t" not in nxt:
            word, _, rest = nxt.partition(" ")
            head = line[: match.start()]
            if match.group(1) == "\u00ad" or (word[0].islower() and word.lower() not in _SUSPENDED):
                joined = head + word
            elif word[0].islower():
                joined = head + "- " + word
            elif word[0].isupper() or word[0].isdigit():
                joined = head + "-" + word
            else:
                joined = None
            if joined is not None:
                out[target] = joined
                out[j] = rest
                if not rest:
                    # The line's only word moved up: the line is gone (not a paragraph
                    # break), and the joined line may itself end in a hyphen.
                    gone.add(j)
                    continue
        target = j
    return [line for i, line in enumerate(out) if i not in gone]


def _finish(lines: list[str]) -> str:
    """Cleaned lines → page text: hyphenation joined, soft hyphens gone, blank runs collapsed."""
    cleaned = [_clean_line(line) for line in lines]
    joined = _dehyphenate(cleaned)
    return "\n".join(_collapse_blank([line.replace("\u00ad", "") for line in joined])).strip()


# --------------------------------------------------------------------------- headers/footers

_EDGE_LINES = 3  # how many lines at the top and at the bottom can be running furniture
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")


def _furniture_key(line: str) -> str:
    """Lines that differ only in numbers, case, spacing or punctuation share a key:
    `Seite 3 von 12` and `Seite 4 von 12` do, and so do `- 3 -` and `- 4 -`."""
    key = _DIGITS.sub("#", line.lower())
    stripped = _NON_WORD.sub("", key)
    return stripped or key.strip()


def _edge_indices(lines: list[str]) -> tuple[list[int], list[int]]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return filled[:_EDGE_LINES], filled[-_EDGE_LINES:]


def _repeated_keys(pages: list[list[str]]) -> tuple[set[str], set[str]]:
    """Keys of lines that sit among the first (last) lines of at least half the pages
    (and of two pages at least): running headers (footers)."""
    top: Counter[str] = Counter()
    bottom: Counter[str] = Counter()
    with_text = 0
    for lines in pages:
        head, tail = _edge_indices(lines)
        if not head:
            continue
        with_text += 1
        top.update({_furniture_key(lines[i]) for i in head})
        bottom.update({_furniture_key(lines[i]) for i in tail})
    need = max(2, math.ceil(with_text / 2))
    return ({k for k, n in top.items() if n >= need and k}, {k for k, n in bottom.items() if n >= need and k})


# A page number on its own: "3", "- 3 -", "Seite 3", "Seite 3 von 12", "3/12", "iv". A bare
# number has at most three digits, so a year alone on a line is not taken for one.
_PAGE_NUMBER = re.compile(
    r"[-–]\s*\d{1,4}\s*[-–]|(?:seite\s+)?\d{1,4}\s*(?:von|/)\s*\d{1,4}|seite\s+\d{1,4}|\d{1,3}|[ivx]{1,6}", re.I
)


def _furniture(lines: list[str], top: set[str], bottom: set[str]) -> set[int]:
    """Indices of the page's lines that are running headers or footers: lines repeated
    at the edges of other pages, and a bare page number as the first or last line (which
    needs no repetition: chapter pages often number where others carry a header)."""
    head, tail = _edge_indices(lines)
    drop = {i for i in head if _furniture_key(lines[i]) in top}
    drop |= {i for i in tail if _furniture_key(lines[i]) in bottom}
    drop |= {i for i in (head[:1] + tail[-1:]) if _PAGE_NUMBER.fullmatch(lines[i].strip())}
    return drop


# --------------------------------------------------------------------------- OCR

# A page with fewer visible characters than this and a large image is a scan (perhaps
# with a stamped page number); a page with none at all and any drawing may be outlined text.
_FEW_CHARS = 25
_LARGE_IMAGE = 0.4  # share of the page area
_MAX_OCR_PIXELS = 40_000_000  # a poster-sized page is rendered below the requested dpi


@functools.lru_cache(maxsize=16)
def tesseract_available(lang: str = "deu", command: str = "tesseract") -> bool:
    """True when `command` runs and lists every language in `lang` (e.g. "deu+eng")."""
    try:
        done = subprocess.run([command, "--list-langs"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    if done.returncode != 0:
        return False
    # Tesseract prints the list on stdout (older versions on stderr), after a header line.
    listed = {line.strip() for line in (done.stdout + "\n" + done.stderr).splitlines()}
    return all(part in listed for part in lang.split("+"))


class _OcrTimeout(Exception):
    pass


def _ocr_image(image_pgm: bytes, limits: PdfLimits, dpi: float, timeout: float) -> str | None:
    """Tesseract's text for one page image, or None when Tesseract fails on it."""
    command = [limits.tesseract, "stdin", "stdout", "-l", limits.ocr_lang, "--dpi", str(round(dpi)), "--psm", "3"]
    env = dict(os.environ)
    # Tesseract's OpenMP threads cost more than they give on small machines: one page took
    # 2.6 s with the default and 1.0 s with one thread here (2 cores, benchmarks/bench_pdf.py).
    env.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        done = subprocess.run(command, input=image_pgm, capture_output=True, timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired as exc:
        raise _OcrTimeout from exc
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace").replace("\f", "")


def _needs_ocr(page: pdfium.PdfPage, visible_chars: int) -> bool:
    """No usable text layer: no characters but something drawn, or a few characters on a
    page mostly covered by images."""
    if visible_chars >= _FEW_CHARS:
        return False
    area = page.get_width() * page.get_height()
    if area <= 0:
        return False
    image_area = 0.0
    drawn = False
    for obj in page.get_objects(max_depth=4):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            image_area += max(0.0, right - left) * max(0.0, top - bottom)
            drawn = True
        elif obj.type in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_SHADING):
            drawn = True
        # Stop early: a plan or map can hold tens of thousands of paths.
        if (visible_chars == 0 and drawn) or image_area >= _LARGE_IMAGE * area:
            return True
    return False


def _render_pgm(page: pdfium.PdfPage, dpi: int) -> tuple[bytes, float]:
    """The page as an 8-bit grey PGM image, and the dpi it was rendered at."""
    width, height = page.get_width(), page.get_height()
    scale = dpi / 72
    if width * height * scale * scale > _MAX_OCR_PIXELS:
        scale = math.sqrt(_MAX_OCR_PIXELS / (width * height))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = bitmap.to_pil().convert("L")
    finally:
        bitmap.close()
    buffer = io.BytesIO()
    # Uncompressed PGM: encoding is instant and Tesseract (Leptonica) reads it from stdin.
    image.save(buffer, format="PPM")
    return buffer.getvalue(), scale * 72


# --------------------------------------------------------------------------- entry point


@dataclass
class _Layer:
    """A page's text layer as read from PDFium."""

    runs: list[_Run]
    rotated: list[str]
    width: float


@dataclass
class _Scan:
    """A page to OCR, rendered."""

    pgm: bytes
    dpi: float


def _check_input(data: bytes, limits: PdfLimits) -> None:
    if len(data) > limits.max_bytes:
        raise PdfError("too_large", f"PDF is {len(data)} bytes, over the cap of {limits.max_bytes}")
    # The header may follow some junk, but within the first KiB (as readers allow).
    if b"%PDF-" not in data[:1024]:
        raise PdfError("not_pdf", "no %PDF- header in the first 1024 bytes")
    # A complete file ends with %%EOF within its last KiB (trailing whitespace or NULs
    # aside). Only a file that also has objects is called truncated: random bytes after a
    # header are corrupt, not cut short.
    tail = data[-8192:].rstrip(b" \t\r\n\x00")[-1024:]
    if b"%%EOF" not in tail and re.search(rb"\d+\s+\d+\s+obj\b", data[:1_000_000]):
        raise PdfError("truncated", f"PDF ends without %%EOF after {len(data)} bytes (cut short?)")


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise PdfError("encrypted", "PDF needs a password (or an unsupported security handler)") from exc
        raise PdfError("corrupt", f"PDFium cannot open the file: {exc}") from exc


def extract_pdf(data: bytes, limits: PdfLimits = PdfLimits()) -> PdfText:  # noqa: B008 - frozen, so shared safely
    """Clean text of every page of the PDF in `data`, up to `limits.max_pages` pages.

    Pages without a text layer are OCR'd when `limits.ocr` is set and Tesseract with
    `limits.ocr_lang` is installed; otherwise, or when Tesseract fails on the page or
    runs past `limits.ocr_timeout`, the page comes back empty with `ocr_needed=True`.
    A password-free encrypted file (permissions only) is read like any other.

    Raises `PdfError` (and nothing else for bad input) with reason `not_pdf`,
    `too_large`, `truncated`, `corrupt`, `encrypted`, or `timeout` when the whole file
    takes longer than `limits.max_seconds` (no partial result: a caller short of time
    can retry with `ocr=False`).
    """
    started = time.monotonic()
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("extract_pdf wants the file's bytes")
    data = bytes(data)
    _check_input(data, limits)
    ocr_ok = limits.ocr and tesseract_available(limits.ocr_lang, limits.tesseract)

    def remaining() -> float:
        left = limits.max_seconds - (time.monotonic() - started)
        if left <= 0:
            raise PdfError("timeout", f"PDF took longer than {limits.max_seconds:g} s")
        return left

    try:
        with _PDFIUM_LOCK:
            document = _open(data)
        try:
            with _PDFIUM_LOCK:
                page_count = len(document)
            wanted = min(page_count, max(0, limits.max_pages))
            # Per page: its text layer, its OCR lines, or None (needs OCR).
            read: list[_Layer | list[str] | None] = []
            for index in range(wanted):
                remaining()
                with _PDFIUM_LOCK:
                    item = _read_page(document, index, ocr_ok, limits.ocr_dpi)
                if isinstance(item, _Scan):
                    # Outside the lock: other threads may use PDFium while Tesseract runs.
                    timeout = min(limits.ocr_timeout, remaining())
                    try:
                        text = _ocr_image(item.pgm, limits, item.dpi, timeout)
                    except _OcrTimeout:
                        remaining()  # the file's own cap ran out: that is the file's timeout
                        text = None  # this page alone was too slow: it still needs OCR
                    item = None if text is None else text.splitlines()
                read.append(item)
            remaining()
        finally:
            with _PDFIUM_LOCK:
                document.close()
        return _assemble(read, page_count, wanted)
    except PdfError:
        raise
    except Exception as exc:  # noqa: BLE001 - the promise is: bad input raises PdfError only
        raise PdfError("corrupt", f"PDF could not be read: {type(exc).__name__}: {exc}") from exc


def _read_page(document: pdfium.PdfDocument, index: int, ocr_ok: bool, dpi: int) -> _Layer | _Scan | None:
    """One page's text layer, or its image to OCR, or None when it needs OCR that cannot
    run. The caller holds the PDFium lock."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            runs, rotated = _page_runs(textpage)
        finally:
            textpage.close()
        visible = sum(len(r.text) for r in runs) + sum(len(t) for t in rotated)
        if not _needs_ocr(page, visible):
            return _Layer(runs, rotated, page.get_width())
        if not ocr_ok:
            return None
        return _Scan(*_render_pgm(page, dpi))
    finally:
        page.close()


def _assemble(read: list[_Layer | list[str] | None], page_count: int, wanted: int) -> PdfText:
    # Furniture is judged on the raw geometric lines (before columns are reordered), so a
    # header split into left and right parts is still recognised as one line. Rotated
    # strings count as the page's last lines (a vertical margin note is furniture when
    # every page has it).
    raw_lines: list[list[str]] = []
    for item in read:
        if isinstance(item, _Layer):
            geometric = [_line_text(line) for line in _group_lines(item.runs)] + item.rotated
            raw_lines.append([_clean_line(line) for line in geometric])
        else:
            raw_lines.append([_clean_line(line) for line in item or []])
    top, bottom = _repeated_keys(raw_lines)

    pages: list[PdfPage] = []
    for number, (item, lines) in enumerate(zip(read, raw_lines, strict=True), start=1):
        furniture = _furniture(lines, top, bottom)
        if item is None:
            pages.append(PdfPage(number, "", ocr=False, ocr_needed=True))
        elif isinstance(item, _Layer):
            geometric = _group_lines(item.runs)
            runs = [r for i, line in enumerate(geometric) if i not in furniture for r in line]
            rotated = [t for i, t in enumerate(item.rotated, start=len(geometric)) if i not in furniture]
            body = _layout(runs, item.width)
            pages.append(PdfPage(number, _finish(body + [""] + rotated if rotated else body)))
        else:
            kept = [line for i, line in enumerate(lines) if i not in furniture]
            pages.append(PdfPage(number, _finish(kept), ocr=True))
    return PdfText(
        pages=pages,
        page_count=page_count,
        truncated_pages=wanted < page_count,
        ocr_pages=sum(p.ocr for p in pages),
        ocr_needed_pages=sum(p.ocr_needed for p in pages),
    )

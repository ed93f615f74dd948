"""Council-report-like PDFs made at test time with reportlab, each with the text it shows.

Every builder returns the PDF's bytes together with the reference text of each page (body
only: no running header or footer), so a test can measure how close extraction comes.
The German texts are our own. `|` in a source word marks where the layout may hyphenate it.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Paragraph, Spacer, Table, TableStyle

WIDTH, HEIGHT = A4
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]

HEADER_LEFT = "Stadt Musterhausen · Umsetzungsbericht Integrationskonzept 2024"
HEADER_RIGHT = "Drucksache 0815/2025"

REPORT = [
    "Mit diesem Bericht legt die Verwaltung dem Rat den dritten Sachstand zur Umsetzung des Integra|tions|konzepts "
    "vor. Das Konzept wurde im Jahr 2021 beschlossen und ordnet die Arbeit der Stadt in fünf Hand|lungs|felder: "
    "Sprache und Bildung, Arbeit und Ausbildung, Wohnen, Gesundheit sowie gesell|schaft|liche Teilhabe.",
    "Im Handlungsfeld Sprache und Bildung wurden die Sprach|kurse deutlich ausgeweitet. Die Volks|hoch|schule bot "
    "im Berichtsjahr 46 Integrations|kurse an, davon zwölf mit Kinder|betreuung. Die Warte|zeit auf einen Kurs|platz "
    "sank von durch|schnitt|lich elf auf sechs Wochen.",
    "Der Kinder- und Jugendhilfeausschuss hat die Schul|sozial|arbeit an den Grund|schulen mit hohem Anteil "
    "neu zugewanderter Kinder um drei Stellen verstärkt. Die Eltern|cafés in den Stadt|teil|zentren werden gut "
    "angenommen; besonders Mütter nutzen das Angebot regel|mäßig.",
    "Zum Stichtag lebten 612 geflüchtete Menschen in städtischen Flücht|lings|unter|künften. Die "
    "Gemeinschafts|unter|kunft in der Heinrich-Lübke-Straße wurde im Sommer saniert; die Zimmer haben nun "
    "eigene Sanitär|bereiche. Ziel bleibt "
    "der Umzug in regulären Wohn|raum, der im Berichtsjahr 148 Personen gelang.",
    "Die Beratungs|stelle für Arbeit und Ausbildung vermittelte 97 Personen in sozial|versicherungs|pflichtige "
    "Beschäf|tigung und 31 junge Erwachsene in eine Ausbildung. Die Zusammen|arbeit mit dem Jobcenter und der "
    "Hand|werks|kammer hat sich bewährt.",
    "Im Handlungsfeld Gesundheit wurden Sprach|mittlerinnen und Sprach|mittler für Arzt|besuche geschult. Die "
    "Nachfrage übersteigt das Angebot weiterhin; die Verwaltung schlägt vor, den Pool um zehn Personen zu "
    "vergrößern und die Ein|sätze über eine gemein|same Leit|stelle zu steuern.",
    "Die gesellschaftliche Teilhabe stärken vor allem Vereine und Ehren|amtliche. Der Integrations|rat hat "
    "vierzehn Projekte mit insgesamt 38.500 Euro gefördert, darunter Sport|angebote, eine Nähwerkstatt und "
    "Fahrrad|kurse für Frauen. Die Förder|richt|linie soll 2025 verein|facht werden.",
    "Für das kommende Jahr empfiehlt die Verwaltung, die Sprach|förderung in den Kinder|tages|stätten "
    "auszubauen, die Wohnungs|akquise fortzuführen und die Ergebnisse in einem Monitoring jährlich "
    "öffentlich zu machen. Über die Finanzierung entscheidet der Rat mit dem Haushalt.",
]

# Two-column page: full-width heading, left column, right column, full-width closing.
COLUMN_TITLE = "Schwerpunkt: Sprachkurse in den Unterkünften"
COLUMN_LEFT = [
    "Seit dem Frühjahr finden in drei Gemeinschaftsunterkünften eigene Sprachkurse statt. Die Kurse richten sich an "
    "Bewohnerinnen und Bewohner, die noch keinen Platz in einem Integrationskurs erhalten haben.",
    "Unterrichtet wird an vier Vormittagen in der Woche. Ehrenamtliche begleiten die Gruppen und üben mit den "
    "Teilnehmenden Alltagssituationen wie den Einkauf oder den Besuch beim Bürgerbüro.",
]
COLUMN_RIGHT = [
    "Die Zwischenbilanz fällt positiv aus: Von 84 Teilnehmenden haben 61 den Kurs regelmäßig besucht. Viele "
    "wechselten danach direkt in einen Integrationskurs der Volkshochschule.",
    "Schwierig bleibt die Kinderbetreuung während der Kurszeiten. Die Verwaltung prüft gemeinsam mit freien "
    "Trägern, ob in den Unterkünften Spielgruppen eingerichtet werden können.",
]
COLUMN_CLOSING = "Der Ausschuss für Soziales und Integration wird im nächsten Quartal erneut informiert."

TABLE_INTRO = "Die folgende Übersicht zeigt den Stand der wichtigsten Maßnahmen je Handlungsfeld."
TABLE_ROWS = [
    ["Handlungsfeld", "Maßnahme", "Stand", "Kosten 2024"],
    ["Sprache und Bildung", "Sprachkurse in Unterkünften", "umgesetzt", "84.000 €"],
    ["Arbeit und Ausbildung", "Beratungsstelle Jobstart", "umgesetzt", "126.500 €"],
    ["Wohnen", "Wohnungsakquise", "laufend", "45.000 €"],
    ["Gesundheit", "Pool Sprachmittlung", "in Planung", "18.200 €"],
    ["Teilhabe", "Förderung von Vereinsprojekten", "umgesetzt", "38.500 €"],
]
TABLE_OUTRO = "Alle Beträge sind Ausgaben des Haushaltsjahres 2024; Zuschüsse des Landes sind nicht abgezogen."

SCAN_LINES = [
    "Stellungnahme des Integrationsrates",
    "Der Integrationsrat begrüßt den Bericht der Verwaltung.",
    "Besonders die Sprachkurse in den Unterkünften haben sich",
    "bewährt und sollen dauerhaft finanziert werden.",
    "Bei der Unterbringung fordert der Rat kleinere Einheiten",
    "und mehr Räume für Hausaufgaben und Beratung.",
    "Die Förderung der Vereine soll einfacher werden.",
    "Wir bitten um einen Bericht über die Wartezeiten",
    "bei der Ausländerbehörde im nächsten Jahr.",
    "Musterhausen, den 14. März 2025",
]


def font_path(name: str = "DejaVuSans.ttf") -> Path:
    """A TrueType font on this machine (Debian `fonts-dejavu-core`)."""
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"{name} not found in {FONT_DIRS}; install fonts-dejavu-core")


def _register_dejavu() -> str:
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(font_path())))
    return "DejaVuSans"


@dataclass
class Line:
    text: str
    broken: bool = False  # the line ends inside a word
    added: bool = False  # ... at a hyphen the layout added (the reference drops it)


def plain(text: str) -> str:
    """The reference form of a source text: hyphenation hints removed."""
    return text.replace("|", "")


def wrap(paragraph: str, width: float, font: str, size: float, hyphenate: bool = True) -> list[Line]:
    """Greedy line breaking; a word that does not fit is split at its last `|` (adding a
    hyphen) or after one of its own hyphens, when a part fits."""
    lines: list[Line] = []
    current = ""
    words = paragraph.split()
    i = 0
    while i < len(words):
        word = words[i]
        candidate = f"{current} {plain(word)}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
            i += 1
            continue
        split = None
        if hyphenate:
            pieces = [(j, True) for j, c in enumerate(word) if c == "|"] + [
                (j + 1, False) for j, c in enumerate(word) if c == "-" and j + 1 < len(word)
            ]
            for cut, added in sorted(pieces, reverse=True):
                head = plain(word[:cut]) + ("-" if added else "")
                if pdfmetrics.stringWidth(f"{current} {head}".strip(), font, size) <= width:
                    split = (head, word[cut:].lstrip("|"), added)
                    break
        if split:
            lines.append(Line(f"{current} {split[0]}".strip(), broken=True, added=split[2]))
            words[i] = split[1]
        else:
            lines.append(Line(current))
        current = ""
    if current:
        lines.append(Line(current))
    return lines


def report_pdf(pages: int = 3, *, paragraphs: list[str] | None = None, header: bool = True, footer: str = "seite",
               seed: int | None = None) -> tuple[bytes, list[str]]:
    """A report laid out line by line on `pages` pages (text repeats if needed), with a
    running header (two parts) and a footer (`seite`: "Seite n von N", `dash`: "- n -",
    `none`). Returns the bytes and each page's body text."""
    source = list(paragraphs or REPORT)
    if seed is not None:
        random.Random(seed).shuffle(source)
    font, size, leading = "Helvetica", 10.5, 14
    left, right, top, bottom = 70, WIDTH - 70, HEIGHT - 90, 80
    per_page = int((top - bottom) // leading)
    # Lay out enough paragraphs to fill the pages; each paragraph ends with a blank line.
    placed: list[list[Line]] = [[]]
    k = 0
    while len(placed) <= pages:
        for line in wrap(source[k % len(source)], right - left, font, size):
            if len(placed[-1]) >= per_page:
                placed.append([])
            placed[-1].append(line)
        if len(placed[-1]) < per_page:
            placed[-1].append(Line(""))
        k += 1
    placed = placed[:pages]

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    refs = []
    for number, page_lines in enumerate(placed, start=1):
        if header:
            pdf.setFont("Helvetica", 8.5)
            pdf.drawString(left, HEIGHT - 50, HEADER_LEFT)
            pdf.drawRightString(right, HEIGHT - 50, HEADER_RIGHT)
        if footer != "none":
            pdf.setFont("Helvetica", 8.5)
            label = f"Seite {number} von {pages}" if footer == "seite" else f"- {number} -"
            pdf.drawCentredString(WIDTH / 2, 40, label)
        pdf.setFont(font, size)
        y = top
        for line in page_lines:
            if line.text:
                pdf.drawString(left, y, line.text)
            y -= leading
        pdf.showPage()
        refs.append(_page_reference(page_lines))
    pdf.save()
    return buffer.getvalue(), refs


def _page_reference(page_lines: list[Line]) -> str:
    """A page's lines as one text, words broken at line ends rejoined (not across pages)."""
    out = ""
    for index, line in enumerate(page_lines):
        if line.broken and index < len(page_lines) - 1:
            out += line.text[:-1] if line.added else line.text
        else:
            out += line.text + " "
    return " ".join(out.split())


def two_column_pdf() -> tuple[bytes, list[str]]:
    """Two pages, each: heading, two justified columns (platypus frames), a closing
    sentence, with running header and footer. Returns the bytes and each page's body text
    in reading order."""
    buffer = io.BytesIO()
    margin, gutter = 60, 22
    column = (WIDTH - 2 * margin - gutter) / 2
    frames = [
        Frame(margin, HEIGHT - 150, WIDTH - 2 * margin, 60, id="title"),
        Frame(margin, 300, column, HEIGHT - 460, id="left"),
        Frame(margin + column + gutter, 300, column, HEIGHT - 460, id="right"),
        Frame(margin, 200, WIDTH - 2 * margin, 90, id="closing"),
    ]

    def furniture(pdf: canvas.Canvas, doc: BaseDocTemplate) -> None:
        pdf.setFont("Helvetica", 8.5)
        pdf.drawString(margin, HEIGHT - 50, HEADER_LEFT)
        pdf.drawCentredString(WIDTH / 2, 40, f"Seite {doc.page} von 2")

    doc = BaseDocTemplate(buffer, pagesize=A4, invariant=1)
    doc.addPageTemplates([PageTemplate(id="two", frames=frames, onPage=furniture)])
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, alignment=TA_JUSTIFY, spaceAfter=8)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=14, leading=18)
    pages = [
        (COLUMN_TITLE, COLUMN_LEFT, COLUMN_RIGHT, COLUMN_CLOSING),
        ("Schwerpunkt: Wohnen und Arbeit", [plain(REPORT[3]), plain(REPORT[1])], [plain(REPORT[4]), plain(REPORT[2])],
         "Die Verwaltung berichtet dem Rat im Herbst über den Stand der Wohnungsakquise."),
    ]
    story: list = []
    refs = []
    for title, left, right, closing in pages:
        story += [Paragraph(title, head), FrameBreak()]
        story += [Paragraph(p, body) for p in left] + [FrameBreak()]
        story += [Paragraph(p, body) for p in right] + [FrameBreak()]
        story += [Paragraph(closing, body), FrameBreak()]
        refs.append(" ".join([title, *left, *right, closing]))
    doc.build(story[:-1])
    return buffer.getvalue(), refs


def table_pdf() -> tuple[bytes, str]:
    """One page: intro sentence, a ruled table, closing sentence. Returns bytes and text."""
    buffer = io.BytesIO()
    frame = Frame(60, 80, WIDTH - 120, HEIGHT - 160)
    doc = BaseDocTemplate(buffer, pagesize=A4, invariant=1)
    doc.addPageTemplates([PageTemplate(frames=[frame])])
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13)
    table = Table(TABLE_ROWS)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 10),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 10),
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("ALIGN", (3, 0), (3, -1), "RIGHT"),
    ]))
    doc.build([Paragraph(TABLE_INTRO, body), Spacer(1, 10), table, Spacer(1, 10), Paragraph(TABLE_OUTRO, body)])
    text = " ".join([TABLE_INTRO, *(" ".join(row) for row in TABLE_ROWS), TABLE_OUTRO])
    return buffer.getvalue(), text


def special_chars_pdf() -> tuple[bytes, list[str]]:
    """One page in DejaVu Sans with ligature glyphs, a soft hyphen inside a word, and
    explicit line breaks for the hyphenation cases. Returns bytes and the expected lines
    of the text as it should come out."""
    font = _register_dejavu()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont(font, 11)
    drawn = [
        "Die Auﬂage des Integrationsberichts ist ﬁnanziell gesichert; die Gemeinschaftsunter\u00adkunft",
        "wurde geprüft. Größere Maßnahmen beschließt der Rat. Der Bericht zur Umsetzung des Integra-",
        "tionskonzepts wurde im Kinder-",
        "und Jugendhilfeausschuss beraten. Die Unterkunft liegt in der Heinrich-",
        "Lübke-Straße. Die Sprach-",
        "kurse beginnen im Mai 2025-",
        "2026 erneut.",
    ]
    y = HEIGHT - 100
    for line in drawn:
        pdf.drawString(70, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    expected = (
        "Die Auflage des Integrationsberichts ist finanziell gesichert; die Gemeinschaftsunterkunft "
        "wurde geprüft. Größere Maßnahmen beschließt der Rat. Der Bericht zur Umsetzung des Integrationskonzepts "
        "wurde im Kinder- und Jugendhilfeausschuss beraten. Die Unterkunft liegt in der Heinrich-Lübke-Straße. "
        "Die Sprachkurse beginnen im Mai 2025-2026 erneut."
    )
    return buffer.getvalue(), [expected]


def scan_image(lines: list[str] = SCAN_LINES, dpi: int = 200, size_pt: float = 9, worn: bool = True) -> Image.Image:
    """An A4 page 'scanned' at `dpi`: DejaVu Sans text, no text layer. `worn` makes it
    look like an office scan: slightly skewed, blurred, grey paper with specks, saved as
    a lossy JPEG (Tesseract reads this one with a few percent of errors, not none)."""
    width_px, height_px = round(WIDTH / 72 * dpi), round(HEIGHT / 72 * dpi)
    image = Image.new("L", (width_px, height_px), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path()), round(size_pt / 72 * dpi))
    x, y = round(1 * dpi), round(1.2 * dpi)
    step = round(size_pt * 1.6 / 72 * dpi)
    for line in lines:
        draw.text((x, y), line, fill=0, font=font)
        y += step
    if not worn:
        return image
    rng = random.Random(5)
    image = image.rotate(0.8, resample=Image.Resampling.BILINEAR, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    image = image.point(lambda v: 60 + v * 170 // 255)  # grey paper, grey toner
    pixels = image.load()
    for _ in range(width_px * height_px // 400):
        pixels[rng.randrange(width_px), rng.randrange(height_px)] = rng.choice((0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=45)
    return Image.open(io.BytesIO(buffer.getvalue()))


def scanned_pdf(pages: int = 1, stamp: str | None = None, lines: list[str] = SCAN_LINES) -> tuple[bytes, list[str]]:
    """`pages` image-only pages (plus, with `stamp`, a few characters of real text on
    each, as scanners add). Returns bytes and each page's text."""
    image = ImageReader(scan_image(lines))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for _ in range(pages):
        pdf.drawImage(image, 0, 0, width=WIDTH, height=HEIGHT)
        if stamp:
            pdf.setFont("Helvetica", 9)
            pdf.drawRightString(WIDTH - 40, HEIGHT - 30, stamp)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue(), [" ".join(lines)] * pages


def mixed_pdf() -> tuple[bytes, list[str], int]:
    """Two text pages with a scanned page between them (the scan has no header).
    Returns bytes, the page texts, and the 1-based number of the scanned page."""
    text_bytes, refs = report_pdf(pages=2)
    import pypdfium2 as pdfium  # local: only this builder merges documents

    scan_bytes, scan_refs = scanned_pdf()
    merged = pdfium.PdfDocument.new()
    text_doc, scan_doc = pdfium.PdfDocument(text_bytes), pdfium.PdfDocument(scan_bytes)
    merged.import_pages(text_doc, [0])
    merged.import_pages(scan_doc, [0])
    merged.import_pages(text_doc, [1])
    out = io.BytesIO()
    merged.save(out)
    for doc in (merged, text_doc, scan_doc):
        doc.close()
    return out.getvalue(), [refs[0], scan_refs[0], refs[1]], 2


def encrypted_pdf(user_password: str = "geheim") -> bytes:
    """A short report encrypted with reportlab's standard security handler. With an empty
    user password it opens without one (permissions only)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=StandardEncryption(user_password, "eigentümer", canCopy=0))
    pdf.setFont("Helvetica", 11)
    pdf.drawString(70, HEIGHT - 100, plain(REPORT[0])[:90])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def corrupt_pdf(seed: int = 7, size: int = 20_000, with_eof: bool = False) -> bytes:
    """A %PDF header followed by random bytes."""
    rng = random.Random(seed)
    body = bytes(rng.getrandbits(8) for _ in range(size))
    return b"%PDF-1.7\n" + body + (b"\n%%EOF\n" if with_eof else b"")


MARGIN_NOTE = "Drucksache 0815/2025 gedruckt am 03.12.2025"


def margin_note_pdf(pages: int = 2) -> tuple[bytes, list[str]]:
    """Pages of report text with a note printed vertically in the left margin (as council
    systems stamp their print date). Returns bytes and each page's body text."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    refs = []
    for number in range(pages):
        lines = wrap(REPORT[number % len(REPORT)], WIDTH - 140, "Helvetica", 10.5, hyphenate=False)
        pdf.setFont("Helvetica", 10.5)
        for k, line in enumerate(lines):
            pdf.drawString(70, HEIGHT - 120 - 14 * k, line.text)
        pdf.saveState()
        pdf.translate(35, HEIGHT - 300)
        pdf.rotate(90)
        pdf.setFont("Helvetica", 7)
        pdf.drawString(0, 0, MARGIN_NOTE)
        pdf.restoreState()
        pdf.showPage()
        refs.append(" ".join(line.text for line in lines))
    pdf.save()
    return buffer.getvalue(), refs


def wordwise_pdf(width: float = 300) -> tuple[bytes, str]:
    """Justified text set word by word with no space characters (as TeX and some PDF
    printers do): PDFium sees only gaps, some of them wide. Returns bytes and the text."""
    font, size, leading = "Helvetica", 10, 13
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont(font, size)
    y = HEIGHT - 100
    texts = []
    for paragraph in REPORT[:3]:
        lines = wrap(paragraph, width, font, size, hyphenate=False)
        for k, line in enumerate(lines):
            words = line.text.split()
            widths = [pdfmetrics.stringWidth(w, font, size) for w in words]
            last = k == len(lines) - 1
            gap = pdfmetrics.stringWidth(" ", font, size) if last or len(words) < 2 else \
                (width - sum(widths)) / (len(words) - 1)
            x = 70.0
            for word, w in zip(words, widths, strict=True):
                pdf.drawString(x, y, word)
                x += w + gap
            y -= leading
        y -= leading
        texts.append(" ".join(line.text for line in lines))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), " ".join(texts)


def text_pdf(text: str, *, title: str | None = None, font: str = "Helvetica", size: float = 10,
             leading: float = 13) -> tuple[bytes, list[str]]:
    """Any text laid out as it comes: one paragraph per line of `text`, wrapped greedily at spaces
    (a word wider than the line stays whole and overflows), pages filled top to bottom, a form
    feed starting a new page; `title`, in bold, opens page 1. Helvetica draws what WinAnsi holds
    (€, „“, –, umlauts, ß) and a box for the rest. No header or footer, nothing hyphenated: page
    k's reference text is the k-th entry.

    This is the OParl fixture server's attachment renderer (tests/oparl_server.py) as well as a
    sample; `invariant=1` makes the bytes (and so their sha256) the same on every run."""
    left, width, top, bottom = 60, WIDTH - 120, HEIGHT - 60, 60
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pages: list[list[str]] = [[]]
    y = top
    if title:
        pdf.setFont("Helvetica-Bold", size + 4)
        pdf.drawString(left, y, title)
        pages[-1].append(title)
        y -= 2 * leading
    pdf.setFont(font, size)
    for paragraph in text.replace("\t", " ").replace("\f", "\n\f\n").split("\n"):
        if paragraph == "\f":
            y = bottom - 1  # the next line starts a page
            continue
        lines, current = [], ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if current and pdfmetrics.stringWidth(candidate, font, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
        for line in lines:
            if y < bottom:
                pdf.showPage()
                pdf.setFont(font, size)
                pages.append([])
                y = top
            if line:
                pdf.drawString(left, y, line)
                pages[-1].append(line)
            y -= leading
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), [" ".join(lines) for lines in pages]

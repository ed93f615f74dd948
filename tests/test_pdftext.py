"""PDF bytes → clean page text: measured against the text the test PDFs were made from."""

from __future__ import annotations

import io
import random
import re

import pypdfium2 as pdfium
import pytest

from kommunalmonitor.crawler.pdftext import (
    EXTRACTOR_VERSION,
    REASONS,
    PdfError,
    PdfLimits,
    PdfText,
    _finish,
    extract_pdf,
    tesseract_available,
)

from . import pdf_samples as samples

HAS_OCR = tesseract_available("deu")
needs_ocr = pytest.mark.skipif(not HAS_OCR, reason="tesseract with the 'deu' language is not installed "
                               "(Debian: apt-get install tesseract-ocr tesseract-ocr-deu)")
NO_TESSERACT = PdfLimits(tesseract="/nonexistent/tesseract-for-test")

TEXT_CER = 0.01
OCR_CER = 0.10


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, computed in a diagonal band that doubles until the result
    fits inside it (then it is exact): fast for the near-equal texts compared here."""
    band = max(16, abs(len(a) - len(b)))
    while True:
        distance = _banded(a, b, band)
        if distance <= band or band >= max(len(a), len(b)):
            return distance
        band *= 2


def _banded(a: str, b: str, k: int) -> int:
    """Edit distance if it is at most k, else some value above k."""
    n, m = len(a), len(b)
    far = k + 1
    prev = [j if j <= k else far for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [far] * (m + 1)
        lo, hi = max(0, i - k), min(m, i + k)
        if lo == 0:
            cur[0] = i if i <= k else far
            lo = 1
        ai = a[i - 1]
        for j in range(lo, hi + 1):
            cost = prev[j - 1] + (ai != b[j - 1])
            if prev[j] + 1 < cost:
                cost = prev[j] + 1
            if cur[j - 1] + 1 < cost:
                cost = cur[j - 1] + 1
            cur[j] = cost if cost < far else far
        prev = cur
    return prev[m]


def squash(text: str) -> str:
    return " ".join(text.split())


def cer(extracted: str, reference: str) -> float:
    """Character error rate after whitespace normalisation."""
    ref = squash(reference)
    return edit_distance(squash(extracted), ref) / len(ref)


def test_edit_distance_helper():
    assert edit_distance("Integrationskonzept", "Integrationskonzept") == 0
    assert edit_distance("Straße", "Strasse") == 2
    assert edit_distance("", "abc") == 3
    assert edit_distance("kitten", "sitting") == 3
    text = "Sprachkurse in Unterkünften " * 40
    assert edit_distance(text, text[:-100]) == 100  # beyond the first band


# ----------------------------------------------------------------------------- text pages


@pytest.fixture(scope="module")
def report() -> tuple[PdfText, list[str]]:
    data, refs = samples.report_pdf(pages=3)
    return extract_pdf(data), refs


def test_report_pages_numbered_and_close_to_source(report):
    result, refs = report
    assert [p.number for p in result.pages] == [1, 2, 3]
    assert result.page_count == 3 and not result.truncated_pages
    assert result.ocr_pages == 0 and result.ocr_needed_pages == 0
    assert result.extractor_version == EXTRACTOR_VERSION and EXTRACTOR_VERSION
    for page, ref in zip(result.pages, refs, strict=True):
        assert not page.ocr and not page.ocr_needed
        assert cer(page.text, ref) <= TEXT_CER, (page.number, cer(page.text, ref))
    assert result.text.split("\f") == [p.text for p in result.pages]


def test_running_header_and_footer_removed(report):
    result, _ = report
    for page in result.pages:
        assert samples.HEADER_RIGHT not in page.text
        assert "Umsetzungsbericht Integrationskonzept 2024" not in page.text
        assert not re.search(r"Seite \d+ von \d+", page.text)


def test_dash_page_numbers_removed_and_body_kept():
    data, refs = samples.report_pdf(pages=4, footer="dash", header=False, seed=3)
    result = extract_pdf(data)
    for page, ref in zip(result.pages, refs, strict=True):
        assert not re.search(r"^- ?\d+ ?-$", page.text, re.M), page.text[-80:]
        assert cer(page.text, ref) <= TEXT_CER


def test_single_page_keeps_its_header_but_not_its_page_number():
    # One page gives no evidence of repetition: the header stays. A bare page number as
    # the last line needs none.
    data, refs = samples.report_pdf(pages=1)
    text = extract_pdf(data).text
    assert samples.HEADER_RIGHT in text and "Seite 1 von 1" not in text
    data, refs = samples.report_pdf(pages=1, footer="dash", header=False)
    text = extract_pdf(data).text
    assert "- 1 -" not in text and cer(text, refs[0]) <= TEXT_CER


def test_hyphenation_joined_real_hyphens_kept():
    data, expected = samples.special_chars_pdf()
    text = squash(extract_pdf(data).text)
    assert "Integrationskonzepts" in text and "Integra-" not in text
    assert "Sprachkurse" in text
    assert "Kinder- und Jugendhilfeausschuss" in text
    assert "Heinrich-Lübke-Straße" in text
    assert "2025-2026" in text
    assert cer(text, expected[0]) <= TEXT_CER


@pytest.mark.parametrize(("lines", "expected"), [
    (["Das Integra-", "tions-", "konzept gilt."], ["Das Integrationskonzept", "gilt."]),
    (["Sprach-", "oder Integrations-", "oder Orientierungskurse"],
     ["Sprach- oder", "Integrations- oder", "Orientierungskurse"]),
    (["die EU-", "Förderung"], ["die EU-Förderung"]),
    (["die Flücht\u00adlings-", "unterkunft"], ["die Flüchtlingsunterkunft"]),
    (["Wohn\u00ad", "Raum"], ["WohnRaum"]),  # a soft hyphen always joins, whatever follows
    (["Jugend-", "", "hilfe"], ["Jugend-", "", "hilfe"]),  # never across a paragraph break
    (["Kosten-", "Sprachkurse\t84.000 €"], ["Kosten-", "Sprachkurse\t84.000 €"]),  # nor into a table row
])
def test_line_end_cleaning_rules(lines, expected):
    assert _finish(lines).split("\n") == expected


def test_report_line_end_hyphens_joined(report):
    result, _ = report
    text = " ".join(p.text for p in result.pages)
    # The layout broke these at a line end on some page (see the reference texts).
    for word in ("Volkshochschule", "sozialversicherungspflichtige"):
        assert word in text
    assert not re.search(r"[a-zäöüß]-\n[a-zäöüß]", text)


def test_ligatures_soft_hyphens_umlauts():
    data, _ = samples.special_chars_pdf()
    text = extract_pdf(data).text
    assert "Auflage" in text and "finanziell" in text
    assert not set("\ufb01\ufb02\u00ad\ufffe\x02") & set(text)
    assert "Gemeinschaftsunterkunft" in text
    assert "Größere Maßnahmen beschließt" in text


def test_two_columns_read_left_then_right():
    data, refs = samples.two_column_pdf()
    result = extract_pdf(data)
    for page, ref in zip(result.pages, refs, strict=True):
        assert cer(page.text, ref) <= TEXT_CER, (page.number, page.text)
    flat = squash(result.pages[0].text)
    order = ["Schwerpunkt: Sprachkurse", "Seit dem Frühjahr", "Besuch beim Bürgerbüro.", "Die Zwischenbilanz",
             "Spielgruppen eingerichtet werden können.", "Der Ausschuss für Soziales"]
    positions = [flat.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Seite 1 von 2" not in result.text  # furniture still found on column pages


def test_table_rows_are_lines_with_tab_cells():
    data, ref = samples.table_pdf()
    text = extract_pdf(data).text
    lines = text.splitlines()
    for row in samples.TABLE_ROWS:
        assert "\t".join(row) in lines, row
    assert cer(text, ref) <= TEXT_CER
    # Running text around the table is not split into cells.
    assert samples.TABLE_INTRO in lines and samples.TABLE_OUTRO in lines


def test_vertical_margin_note_kept_out_of_body_lines():
    data, refs = samples.margin_note_pdf(pages=1)
    page = extract_pdf(data).pages[0]
    body, _, note = page.text.rpartition("\n\n")
    assert cer(body, refs[0]) <= TEXT_CER
    assert note == samples.MARGIN_NOTE  # one page: no evidence it repeats, so it stays


def test_vertical_margin_note_on_every_page_is_furniture():
    data, refs = samples.margin_note_pdf(pages=3)
    result = extract_pdf(data)
    for page, ref in zip(result.pages, refs, strict=True):
        assert "0815" not in page.text
        assert cer(page.text, ref) <= TEXT_CER


def test_justified_text_without_space_characters_is_not_a_table():
    data, ref = samples.wordwise_pdf()
    text = extract_pdf(data).text
    assert "\t" not in text
    assert cer(text, ref) <= TEXT_CER


def test_owner_password_only_is_read():
    # Permissions-only encryption (empty user password) is common in council PDFs.
    result = extract_pdf(samples.encrypted_pdf(user_password=""))
    assert "Mit diesem Bericht legt die Verwaltung" in result.text


def test_page_cap_truncates_and_says_so():
    data, refs = samples.report_pdf(pages=4)
    result = extract_pdf(data, PdfLimits(max_pages=2))
    assert result.truncated_pages
    assert result.page_count == 4 and len(result.pages) == 2
    assert cer(result.pages[1].text, refs[1]) <= TEXT_CER


# ----------------------------------------------------------------------------- scanned pages


def test_scanned_page_flagged_when_tesseract_is_missing():
    data, refs, scan = samples.mixed_pdf()
    result = extract_pdf(data, NO_TESSERACT)
    page = result.pages[scan - 1]
    assert page.ocr_needed and not page.ocr and page.text == ""
    assert result.ocr_needed_pages == 1 and result.ocr_pages == 0
    assert cer(result.pages[0].text, refs[0]) <= TEXT_CER


@pytest.mark.parametrize("limits", [PdfLimits(ocr=False), PdfLimits(ocr_lang="xyz")], ids=["ocr-off", "no-language"])
def test_scanned_page_flagged_when_ocr_off_or_language_missing(limits):
    data, _ = samples.scanned_pdf()
    result = extract_pdf(data, limits)
    assert result.ocr_needed_pages == 1 and result.pages[0].ocr_needed


def test_blank_page_needs_no_ocr():
    # A page with nothing drawn on it is empty, not a scan waiting for OCR.
    empty = pdfium.PdfDocument.new()
    empty.new_page(595, 842)
    out = io.BytesIO()
    empty.save(out)
    result = extract_pdf(out.getvalue(), NO_TESSERACT)
    assert result.pages[0].text == "" and not result.pages[0].ocr_needed
    assert result.ocr_needed_pages == 0


@needs_ocr
def test_scanned_page_ocr_between_text_pages():
    data, refs, scan = samples.mixed_pdf()
    result = extract_pdf(data)
    assert result.ocr_pages == 1 and result.ocr_needed_pages == 0
    assert [p.ocr for p in result.pages] == [False, True, False]
    ocr_page = result.pages[scan - 1]
    assert cer(ocr_page.text, refs[scan - 1]) <= OCR_CER, ocr_page.text
    for index in (0, 2):
        assert cer(result.pages[index].text, refs[index]) <= TEXT_CER


@needs_ocr
def test_scan_with_stamped_text_is_ocrd():
    # A few characters of real text (a scanner's stamp) do not make a text layer.
    data, refs = samples.scanned_pdf(stamp="Eingang 14.03.2025")
    result = extract_pdf(data)
    assert result.pages[0].ocr
    assert "Integrationsrat" in result.pages[0].text


def fake_tesseract(folder, script: str) -> str:
    """A stand-in `tesseract` that lists `deu` and then runs `script` (sh) on a page."""
    path = folder / "tesseract"
    path.write_text('#!/bin/sh\nif [ "$1" = --list-langs ]; then printf "List of languages (1):\\ndeu\\n"; exit 0; fi\n'
                    + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_ocr_text_goes_through_cleaning(tmp_path):
    # Tesseract's output is cleaned like a text layer: hyphens joined, soft hyphens gone.
    command = fake_tesseract(tmp_path, "cat >/dev/null; printf 'Die Sprach-\\nkurse sind voll.\\n\\f'")
    data, _ = samples.scanned_pdf()
    result = extract_pdf(data, PdfLimits(tesseract=command))
    assert result.pages[0].ocr and result.ocr_pages == 1
    assert result.pages[0].text == "Die Sprachkurse\nsind voll."


def test_ocr_failure_or_slow_page_flags_the_page(tmp_path):
    data, refs, scan = samples.mixed_pdf()
    (tmp_path / "fails").mkdir()
    (tmp_path / "slow").mkdir()
    failing = fake_tesseract(tmp_path / "fails", "exit 1")
    slow = fake_tesseract(tmp_path / "slow", "exec sleep 30")
    for limits in (PdfLimits(tesseract=failing), PdfLimits(tesseract=slow, ocr_timeout=0.5)):
        result = extract_pdf(data, limits)
        assert result.pages[scan - 1].ocr_needed and result.ocr_needed_pages == 1
        assert cer(result.pages[2].text, refs[2]) <= TEXT_CER  # the pages after it are still read


def test_file_time_cap_stops_a_slow_ocr(tmp_path):
    slow = fake_tesseract(tmp_path, "exec sleep 30")
    data, _ = samples.scanned_pdf()
    with pytest.raises(PdfError) as err:
        extract_pdf(data, PdfLimits(tesseract=slow, max_seconds=1, ocr_timeout=60))
    assert err.value.reason == "timeout"


# ----------------------------------------------------------------------------- bad files


def _valid() -> bytes:
    return samples.report_pdf(pages=2)[0]


BAD = {
    "encrypted": lambda: samples.encrypted_pdf(),
    "corrupt": lambda: samples.corrupt_pdf(),
    "corrupt-with-eof": lambda: samples.corrupt_pdf(with_eof=True),
    "truncated": lambda: _valid()[: len(_valid()) // 2],
    "not_pdf": lambda: b"<!DOCTYPE html><html><body>Nicht gefunden</body></html>",
    "not_pdf-empty": lambda: b"",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_raises_pdf_error_with_reason(case):
    with pytest.raises(PdfError) as err:
        extract_pdf(BAD[case]())
    assert err.value.reason == case.split("-")[0]
    assert err.value.reason in REASONS
    assert str(err.value) and "\n" not in str(err.value)


def test_too_large_and_timeout_reasons():
    data = _valid()
    with pytest.raises(PdfError) as err:
        extract_pdf(data, PdfLimits(max_bytes=len(data) - 1))
    assert err.value.reason == "too_large"
    with pytest.raises(PdfError) as err:
        extract_pdf(data, PdfLimits(max_seconds=0))
    assert err.value.reason == "timeout"


def test_damaged_files_raise_only_pdf_error():
    """Cut at many points and with flipped bytes, a file either reads or raises PdfError."""
    data = _valid()
    rng = random.Random(11)
    variants = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 40))]
    for _ in range(40):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 30)):
            damaged[rng.randrange(len(damaged))] = rng.getrandbits(8)
        variants.append(bytes(damaged))
    outcomes = {"read": 0, "error": 0}
    for variant in variants:
        try:
            result = extract_pdf(variant, NO_TESSERACT)
        except PdfError as err:
            assert err.reason in REASONS
            outcomes["error"] += 1
        else:
            assert isinstance(result, PdfText)
            outcomes["read"] += 1
    assert outcomes["error"] >= 40  # every cut short of the end is an error

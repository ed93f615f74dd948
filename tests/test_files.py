"""Council files' text: the reader on its own (types, bad bytes, caps, a crashing worker), then real
crawls of the local OParl server — the Karlsruhe sample's attachments plus files made here (a
multi-page report, a scanned page, a text page between scans, an encrypted, a corrupt and a
truncated PDF, a text note, an unsupported type) — through `komo update`: documents with their
pages, OCR, errors with reasons, page-aware search, mentions on their page, nothing read twice."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from kommunalmonitor.core.parallel import isolated_map
from kommunalmonitor.crawler.filetext import READER_VERSION, FileLimits, FileRef, file_type, read_kept_file
from kommunalmonitor.crawler.pdftext import PdfLimits, tesseract_available
from kommunalmonitor.crawler.staging import save_raw_page

from . import pdf_samples as samples
from .conftest import query, run_komo
from .oparl_server import KARLSRUHE, SPEC, Council, attach_paper, karlsruhe_council, now_iso, serve, spec_council
from .test_pdftext import OCR_CER, TEXT_CER, cer

HAS_OCR = tesseract_available("deu")
needs_ocr = pytest.mark.skipif(not HAS_OCR, reason="tesseract with the 'deu' language is not installed (Debian: "
                               "apt-get install tesseract-ocr tesseract-ocr-deu; `make setup` does it as root)")
needs_spec = pytest.mark.skipif(not SPEC.is_dir(),
                                reason=f"needs the shared data set {SPEC} (../shared beside the clone)")
needs_karlsruhe = pytest.mark.skipif(not KARLSRUHE.is_dir(),
                                     reason=f"needs the shared data set {KARLSRUHE} (../shared beside the clone)")

# A word that occurs on page 3 of one file and nowhere else in any corpus here.
UNIQUE = "Zwirbelmoos"
CHRONICLE = [
    "Chronik des Integrationsrates. Der Integrationsrat wurde im Jahr 1996 gegründet und berät den Rat der "
    "Stadt in allen Fragen der Zuwanderung. Ihm gehören gewählte Mitglieder und Ratsmitglieder an.",
    "In den ersten Jahren standen die Sprachförderung und die Beratung neu zugewanderter Familien im "
    "Vordergrund. Später kamen die Ausbildung junger Menschen und die Arbeit mit Vereinen hinzu.",
    f"Das Projekt {UNIQUE} verbindet seit dem Frühjahr Ehrenamtliche mit Familien in den Unterkünften. "
    "Der Integrationsrat hat es am 16. September 2019 beschlossen und fördert es mit 12.000 Euro im Jahr.",
    "Für die kommenden Jahre plant der Integrationsrat eine engere Zusammenarbeit mit den Schulen und "
    "einen jährlichen Bericht an den Rat über die Fortschritte in allen Handlungsfeldern.",
]
NOTE = "Notiz zur Sitzung: Die Stadtbibliothek öffnet künftig auch samstags; Gebühren ändern sich nicht."
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def sample_files() -> tuple[list[tuple[str, str, bytes, str]], dict[str, Any]]:
    """The files attached to one paper, and per file name what reading it must give: the page
    texts (with the 1-based numbers of scanned pages), or the reason it fails."""
    report, report_refs = samples.report_pdf(pages=3)
    chronicle, chronicle_refs = samples.text_pdf("\f".join(CHRONICLE))
    scan, scan_refs = samples.scanned_pdf()
    mixed, mixed_refs, scan_page = samples.mixed_pdf()
    files = [
        ("Umsetzungsbericht Integrationskonzept", "bericht.pdf", report, "application/pdf"),
        ("Anlage 1 Chronik des Integrationsrates", "chronik.pdf", chronicle, "application/pdf"),
        ("Anlage 2 Stellungnahme (Scan)", "stellungnahme.pdf", scan, "application/pdf"),
        ("Anlage 3 Bericht mit gescannter Seite", "gemischt.pdf", mixed, "application/pdf"),
        ("Anlage 4 vertraulich", "vertraulich.pdf", samples.encrypted_pdf(), "application/pdf"),
        ("Anlage 5 defekt", "defekt.pdf", samples.corrupt_pdf(with_eof=True), "application/pdf"),
        ("Anlage 6 abgebrochen", "abgebrochen.pdf", report[: len(report) // 2], "application/pdf"),
        ("Anlage 7 Notiz", "notiz.txt", NOTE.encode("windows-1252"), "text/plain"),
        ("Anlage 8 Tabelle", "tabelle.docx", b"PK\x03\x04" + bytes(200), DOCX),
    ]
    expected = {
        "bericht.pdf": (report_refs, set()), "chronik.pdf": (chronicle_refs, set()),
        "stellungnahme.pdf": (scan_refs, {1}), "gemischt.pdf": (mixed_refs, {scan_page}),
        "notiz.txt": ([NOTE], set()),
        "vertraulich.pdf": "encrypted", "defekt.pdf": "corrupt", "abgebrochen.pdf": "truncated",
        "tabelle.docx": "unsupported",
    }
    return files, expected


# -- the reader on its own ----------------------------------------------------------------------


def test_a_file_is_a_pdf_by_its_bytes_and_otherwise_by_its_declared_type():
    assert file_type(b"junk\n%PDF-1.4 ...", "text/html", None, "x.html") == "pdf"
    assert file_type(b"not a pdf", "application/pdf", None, None) == "pdf"  # pdftext then says not_pdf
    assert file_type(b"<p>hi</p>", "text/html; charset=utf-8", None, None) == "html"
    assert file_type(b"hello", None, "text/plain", None) == "text"
    assert file_type(b"hello", "application/octet-stream", None, "notes.TXT") == "text"
    assert file_type(b"  <!DOCTYPE html><html>", "application/octet-stream", None, None) == "html"
    assert file_type(b"PK\x03\x04", DOCX, DOCX, "a.docx") is None


def _kept(home: Path, data: bytes, mime: str | None, name: str = "f") -> FileRef:
    raw_ref = save_raw_page(home / "raw", data, ".bin.gz")
    return FileRef("s", name, raw_ref, "sha", mime, None, None)


def test_the_reader_turns_every_kind_of_file_into_an_outcome(tmp_path):
    limits = FileLimits(PdfLimits(ocr=False))
    report, refs = samples.report_pdf(pages=2)
    good = read_kept_file(tmp_path, limits, _kept(tmp_path, report, "application/pdf"))
    assert (good.status, good.file_type, good.page_count, len(good.pages)) == ("ok", "pdf", 2, 2)
    assert all(cer(p.text, r) <= TEXT_CER for p, r in zip(good.pages, refs, strict=True))
    assert good.body.split("\f") == [p.text for p in good.pages]
    assert [good.body[s:e] for s, e in good.offsets()] == [p.text for p in good.pages]

    text = read_kept_file(tmp_path, limits, _kept(tmp_path, NOTE.encode("windows-1252"), "text/plain"))
    assert (text.status, text.file_type, text.body) == ("ok", "text", NOTE)
    html = read_kept_file(tmp_path, limits, _kept(
        tmp_path, b'<?xml version="1.0" encoding="utf-8"?><html><body><h1>Beschluss</h1><p>Der Rat '
                  b'beschlie\xc3\x9ft.\x0c</p><script>x()</script></body></html>', "application/xhtml+xml"))
    assert (html.status, html.file_type, html.body) == ("ok", "html", "Beschluss\n\nDer Rat beschließt.")

    outcomes = {
        "encrypted": samples.encrypted_pdf(), "corrupt": samples.corrupt_pdf(with_eof=True),
        "truncated": report[: len(report) // 2], "not_pdf": b"<html>an error page</html>",
    }
    for reason, data in outcomes.items():
        bad = read_kept_file(tmp_path, limits, _kept(tmp_path, data, "application/pdf"))
        assert (bad.status, bad.reason, bad.pages) == ("failed", reason, []), bad
        assert bad.message and "\n" not in bad.message
    unsupported = read_kept_file(tmp_path, limits, _kept(tmp_path, b"PK\x03\x04", DOCX))
    assert (unsupported.status, unsupported.reason) == ("unsupported", "unsupported") and DOCX in unsupported.message


def test_what_the_reader_refuses_to_read(tmp_path):
    limits = FileLimits(PdfLimits(max_bytes=10_000, ocr=False))
    # A gzip bomb of zeros: decompression stops one byte past the cap.
    bomb = _kept(tmp_path, bytes(5_000_000), "application/pdf")
    assert os.path.getsize(tmp_path / bomb.raw_ref) < 50_000
    assert read_kept_file(tmp_path, limits, bomb).reason == "too_large"
    gone = FileRef("s", "f", "raw/00/" + "0" * 64 + ".pdf.gz", "sha", "application/pdf")
    assert read_kept_file(tmp_path, limits, gone).reason == "missing"
    (tmp_path / "secret.gz").write_bytes(gzip.compress(b"%PDF-1.4 secret"))
    forged = FileRef("s", "f", "raw/../secret.gz", "sha", "application/pdf")
    result = read_kept_file(tmp_path, limits, forged)
    assert result.reason == "unreadable" and "secret" not in (result.message or "").replace("raw/../", "")
    (tmp_path / "raw" / "bad.gz").write_bytes(b"not gzip")
    assert read_kept_file(tmp_path, limits, FileRef("s", "f", "raw/bad.gz", "x", None)).reason == "unreadable"


def test_the_character_cap_keeps_whole_pages_and_says_so(tmp_path):
    data, _ = samples.text_pdf("\f".join(CHRONICLE))
    ref = _kept(tmp_path, data, "application/pdf")
    whole = read_kept_file(tmp_path, FileLimits(PdfLimits(ocr=False)), ref)
    cap = len(whole.pages[0].text) + 1 + len(whole.pages[1].text) + 10
    capped = read_kept_file(tmp_path, FileLimits(PdfLimits(ocr=False), max_chars=cap), ref)
    assert [p.text for p in capped.pages] == [p.text for p in whole.pages[:2]]
    assert capped.truncated_pages and not whole.truncated_pages and capped.page_count == 4
    tiny = read_kept_file(tmp_path, FileLimits(PdfLimits(ocr=False), max_chars=40), ref)
    assert len(tiny.pages) == 1 and 0 < len(tiny.body) <= 40 and tiny.truncated_pages


def _dies_on_five(item: int) -> int:
    if item == 5:
        os._exit(3)  # what a segfault in PDFium looks like from outside
    return item * 10


def test_a_worker_that_dies_costs_only_the_item_it_was_on():
    results = list(isolated_map(_dies_on_five, range(12), 2, lambda item, error: ("crashed", item)))
    assert results == [0, 10, 20, 30, 40, ("crashed", 5), 60, 70, 80, 90, 100, 110]


# -- crawled councils ---------------------------------------------------------------------------


def files_stats(home: Path) -> dict[str, Any]:
    """The figures of the newest files run (komo files extract, or the files step of an update)."""
    rows = query(home / "komo.duckdb", "SELECT stats FROM runs WHERE command = 'files' ORDER BY run_id DESC LIMIT 1")
    return json.loads(rows[0][0])


def file_rows(db: Path, paper_id: str) -> dict[str, dict[str, Any]]:
    """Per file name of the paper's files: its file_texts row, document and pages."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        files = con.execute(
            "SELECT o.id, o.json->>'fileName' FROM council_relations r JOIN council_objects o "
            "ON o.source = r.source AND o.id = r.object WHERE r.subject = ? AND r.relation IN "
            "('mainFile', 'auxiliaryFile')", [paper_id]).fetchall()
        for file_id, name in files:
            text = con.execute("SELECT status, reason, message, ocr_pages, ocr_needed_pages, page_count "
                               "FROM file_texts WHERE file_id = ?", [file_id]).fetchone()
            doc = con.execute("SELECT kind, body, parent_kind, parent_id, category, title FROM documents "
                              "WHERE native_id = ?", [file_id]).fetchone()
            pages = con.execute("SELECT page, start_char, end_char, ocr, ocr_needed FROM document_pages "
                                "WHERE native_id = ? ORDER BY page", [file_id]).fetchall()
            out[name] = {"id": file_id, "text": text, "doc": doc, "pages": pages}
    return out


def check_sample_files(db: Path, paper: dict[str, Any], expected: dict[str, Any], ocr: bool) -> None:
    found = file_rows(db, paper["id"])
    assert set(found) == set(expected)
    for name, want in expected.items():
        row = found[name]
        if isinstance(want, str):  # a bad file: an outcome row with the reason, no document
            status = "unsupported" if want == "unsupported" else "failed"
            assert row["text"][:2] == (status, want), (name, row["text"])
            assert row["doc"] is None and row["pages"] == []
            continue
        refs, scanned = want
        kind, body, parent_kind, parent_id, category, _ = row["doc"]
        assert (kind, parent_kind, parent_id) == ("file", "paper", paper["id"]), name
        assert category == ("Hauptdokument" if name == "bericht.pdf" else "Anlage")
        texts = body.split("\f")
        assert len(texts) == len(refs) == len(row["pages"]), name
        for (page, start, end, was_ocr, ocr_needed), text, ref in zip(row["pages"], texts, refs, strict=True):
            assert body[start:end] == text  # the offsets locate the page
            if page in scanned and not ocr:
                assert (text, ocr_needed, was_ocr) == ("", True, False), name
            elif page in scanned:
                assert was_ocr and not ocr_needed
                assert cer(text, ref) <= OCR_CER, (name, page, cer(text, ref))
            else:
                assert not was_ocr and not ocr_needed
                assert cer(text, ref) <= TEXT_CER, (name, page, cer(text, ref))
        assert row["text"][3:5] == ((len(scanned), 0) if ocr else (0, len(scanned))), name


@pytest.fixture(scope="module")
def council_home(tmp_path_factory) -> Any:
    """`komo update` of the Karlsruhe sample plus the sample files on one more paper; the server
    stays up for the tests that crawl again."""
    cache = tmp_path_factory.mktemp("karlsruhe-pdfs")
    home = tmp_path_factory.mktemp("files-home")
    files, expected = sample_files()
    papers: dict[str, Any] = {}

    def build(base: str) -> Council:
        # every Karlsruhe object and file, 120 of them with the sample's full text: the extraction of
        # all 6.5 M characters took most of this module's time and adds nothing the files need
        council = karlsruhe_council(base, cache, real_texts=120)
        papers["paper"] = attach_paper(council, "Umsetzungsbericht Integrationskonzept 2024", files)
        return council

    with serve(build, page_size=50) as server:
        assert run_komo("sources", "add", "oparl", server.system_url, "--name", "karlsruhe", home=home).returncode == 0
        result = run_komo("update", "--source", "karlsruhe", "--profile", "fast", "--processes", "2", home=home,
                          timeout=1800)
        assert result.returncode == 0, result.stdout + result.stderr
        yield {"home": home, "server": server, "paper": papers["paper"], "expected": expected, "update": result}


@needs_karlsruhe
@pytest.mark.slow
def test_each_good_file_is_a_document_with_its_pages_linked_to_its_paper(council_home):
    db = council_home["home"] / "published" / "komo.duckdb"
    check_sample_files(db, council_home["paper"], council_home["expected"], HAS_OCR)
    # Every Karlsruhe attachment, invitation and protocol is read and has its parent.
    served = len(council_home["server"].council.files)
    assert query(db, "SELECT count(*) FROM file_texts") == [(served,)]
    assert query(db, "SELECT count(*) FROM file_documents WHERE parent_id IS NULL OR parent_kind NOT IN "
                     "('paper', 'meeting', 'agenda_item')") == [(0,)]
    parents = {kind for kind, in query(db, "SELECT DISTINCT parent_kind FROM documents WHERE kind = 'file'")}
    assert {"paper", "meeting"} <= parents  # attachments; invitations and protocols
    # Files go through extraction and classification like any document; trends stay press-only.
    assert query(db, "SELECT count(*) FROM documents d LEFT JOIN extractions e USING (source, native_id) "
                     "WHERE d.kind = 'file' AND e.native_id IS NULL") == [(0,)]
    assert query(db, "SELECT count(DISTINCT d.native_id) = count(DISTINCT t.native_id) FROM documents d "
                     "LEFT JOIN topics t USING (source, native_id) WHERE d.kind = 'file'") == [(True,)]
    assert query(db, "SELECT count(*) FROM articles") == [(0,)]


@needs_karlsruhe
@pytest.mark.slow
def test_bad_files_are_rows_with_reasons_and_the_run_is_ok(council_home):
    home = council_home["home"]
    db = home / "published" / "komo.duckdb"
    assert "update run" in council_home["update"].stdout and ": ok;" in council_home["update"].stdout
    assert query(db, "SELECT status FROM runs WHERE command IN ('update', 'files') ORDER BY run_id") == [
        ("ok",), ("ok",)]
    errors = dict(query(db, "SELECT url, reason FROM file_errors"))
    assert sorted(errors.values()) == ["corrupt", "encrypted", "truncated", "unsupported"]
    stats = files_stats(home)
    assert stats["failed"] == {"corrupt": 1, "encrypted": 1, "truncated": 1} and stats["unsupported"] == {DOCX: 1}
    listed = run_komo("files", "errors", "--source", "karlsruhe", "--format", "json", home=home)
    assert listed.returncode == 0, listed.stderr
    assert {json.loads(line)["reason"] for line in listed.stdout.splitlines()} == set(errors.values())
    summary = run_komo("council", "summary", "--source", "karlsruhe", home=home)
    assert summary.returncode == 0, summary.stderr
    assert "3 failed, 1 unsupported" in summary.stdout and "encrypted" in summary.stdout


@needs_karlsruhe
@pytest.mark.slow
def test_search_finds_a_word_on_page_3_and_says_page_3(council_home):
    home = council_home["home"]
    hits = run_komo("search", UNIQUE, "--format", "json", home=home)
    assert hits.returncode == 0, hits.stderr
    rows = [json.loads(line) for line in hits.stdout.splitlines()]
    chronicle = file_rows(home / "published" / "komo.duckdb", council_home["paper"]["id"])["chronik.pdf"]["id"]
    assert [(r["native_id"], r["kind"], r["page"]) for r in rows] == [(chronicle, "file", 3)]
    assert rows[0]["parent_id"] == council_home["paper"]["id"]
    table = run_komo("search", UNIQUE, home=home)
    assert "file, page 3" in table.stdout and "#page=3" in table.stdout
    # A word of a press-like document type elsewhere has no page.
    other = run_komo("search", "Stadtbibliothek", "--format", "json", "--limit", "50", home=home)
    pages = {r["kind"]: r["page"] for r in map(json.loads, other.stdout.splitlines()) if r["kind"] != "file"}
    assert pages and set(pages.values()) == {None}


@needs_karlsruhe
@pytest.mark.slow
def test_mentions_in_a_file_map_to_their_page(council_home):
    db = council_home["home"] / "published" / "komo.duckdb"
    chronicle = file_rows(db, council_home["paper"]["id"])["chronik.pdf"]["id"]
    assert query(db, "SELECT page FROM mention_pages WHERE native_id = ? AND kind = 'date' AND value = '2019-09-16'",
                 [chronicle]) == [(3,)]
    # Every mention of every file document is on the page its offset says, the text at the offset.
    with duckdb.connect(str(db), read_only=True) as con:
        bodies = dict(con.execute("SELECT native_id, body FROM documents WHERE kind = 'file'").fetchall())
        mentions = con.execute("SELECT native_id, text, start_char, end_char FROM mentions WHERE native_id IN "
                               "(SELECT native_id FROM documents WHERE kind = 'file')").fetchall()
        located = {(n, s): p for n, s, p in con.execute("SELECT native_id, start_char, page FROM mention_pages")
                   .fetchall()}
    assert len(mentions) > 1000
    for native_id, text, start, end in mentions:
        assert bodies[native_id][start:end] == text
        assert located[(native_id, start)] == bodies[native_id][:start].count("\f") + 1


@needs_karlsruhe
@pytest.mark.slow
def test_the_readme_file_queries_answer_on_the_karlsruhe_store(council_home):
    import re

    from .conftest import REPO

    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Council files: text, pages, OCR", 1)[1].split("\n## ", 1)[0]
    statements = [s.strip() for block in re.findall(r"```sql\n(.*?)```", section, re.S)
                  for s in block.split(";") if s.strip()]
    assert len(statements) == 3
    for statement in statements:
        result = run_komo("sql", "--format", "json", "--", statement, home=council_home["home"])
        assert result.returncode == 0 and result.stdout.strip(), f"{statement}\n{result.stderr}"


@needs_karlsruhe
@pytest.mark.slow
def test_a_second_update_reads_no_file_and_a_new_reader_version_reads_every_file(council_home):
    # Last in this module: it changes the store the others read.
    home = council_home["home"]
    db = home / "published" / "komo.duckdb"
    before = query(db, "SELECT native_id, content_hash FROM documents WHERE kind = 'file' ORDER BY ALL")
    again = run_komo("update", "--source", "karlsruhe", "--profile", "fast", home=home, timeout=1800)
    assert again.returncode == 0, again.stdout + again.stderr
    stats = files_stats(home)
    assert stats["read"] == 0 and stats["unchanged"] == stats["downloaded"] > 1400
    assert query(db, "SELECT native_id, content_hash FROM documents WHERE kind = 'file' ORDER BY ALL") == before
    # A file read by an older reader is read again; same text, same documents.
    with duckdb.connect(str(home / "komo.duckdb")) as con:
        con.execute("UPDATE file_texts SET reader_version = 'pdftext-0+filetext-0'")
    reread = run_komo("files", "extract", home=home, timeout=1800)
    assert reread.returncode == 0, reread.stderr
    stats = files_stats(home)
    assert stats["read"] == stats["downloaded"] and stats["documents_changed"] == 0
    assert query(db, "SELECT DISTINCT reader_version FROM file_texts") == [(READER_VERSION,)]
    assert query(db, "SELECT native_id, content_hash FROM documents WHERE kind = 'file' ORDER BY ALL") == before


# -- the small council: limits, OCR later, kills, changes ---------------------------------------


def small_council(files: list[tuple[str, str, bytes, str]], papers: dict[str, Any]):
    def build(base: str) -> Council:
        council = spec_council(base)
        papers["paper"] = attach_paper(council, "Umsetzungsbericht Integrationskonzept 2024", files)
        return council

    return build


def write_config(home: Path, text: str) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "file-text.toml").write_text(text, encoding="utf-8")


def crawl(server, home: Path) -> None:
    added = run_komo("sources", "add", "oparl", server.system_url, "--name", "council", "--replace", home=home)
    assert added.returncode == 0, added.stderr
    crawled = run_komo("crawl", "--source", "council", "--profile", "fast", home=home)
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr


def store_content(home: Path) -> dict[str, list[tuple]]:
    db = home / "published" / "komo.duckdb"
    return {
        "texts": query(db, "SELECT source, file_id, sha256, reader_version, status, reason, page_count, pages_read, "
                           "truncated_pages, ocr_pages, ocr_needed_pages, chars, text_sha256 FROM file_texts "
                           "ORDER BY ALL"),
        "pages": query(db, "SELECT * FROM document_pages ORDER BY ALL"),
        "documents": query(db, "SELECT native_id, kind, title, published, sender, category, body, parent_kind, "
                               "parent_id, content_hash FROM documents ORDER BY ALL"),
    }


@needs_spec
@pytest.mark.slow
def test_limits_come_from_the_homes_config_and_a_file_that_hit_one_is_read_when_they_change(tmp_path):
    report, _ = samples.report_pdf(pages=3)
    chronicle, _ = samples.text_pdf("\f".join(CHRONICLE))
    files = [("Bericht", "bericht.pdf", report, "application/pdf"),
             ("Chronik", "chronik.pdf", chronicle, "application/pdf")]
    papers: dict[str, Any] = {}
    home = tmp_path / "home"
    with serve(small_council(files, papers)) as server:
        crawl(server, home)
    size = len(report)
    write_config(home, f"[limits]\nmax_pages = 2\nmax_mb = {(size - 1) / 1024 / 1024}\n[ocr]\nenabled = false\n")
    assert run_komo("files", "extract", home=home).returncode == 0
    found = file_rows(home / "published" / "komo.duckdb", papers["paper"]["id"])
    assert found["bericht.pdf"]["text"][:2] == ("failed", "too_large")
    assert len(found["chronik.pdf"]["pages"]) == 2
    assert query(home / "published" / "komo.duckdb", "SELECT truncated_pages, page_count, pages_read FROM file_texts "
                 "WHERE file_id = ?", [found["chronik.pdf"]["id"]]) == [(True, 4, 2)]
    # Back to the defaults: the two files that hit a limit are read again, nothing else.
    (home / "config" / "file-text.toml").unlink()
    assert run_komo("files", "extract", home=home).returncode == 0
    assert files_stats(home)["read"] == 2
    found = file_rows(home / "published" / "komo.duckdb", papers["paper"]["id"])
    assert found["bericht.pdf"]["text"][0] == "ok" and len(found["chronik.pdf"]["pages"]) == 4
    assert run_komo("files", "extract", home=home).returncode == 0 and files_stats(home)["read"] == 0
    # A bad configuration is a one-line error before anything runs.
    write_config(home, "[limits]\nmax_pages = 0\n")
    bad = run_komo("files", "extract", home=home)
    assert bad.returncode == 2 and "max_pages" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


@needs_spec
@needs_ocr
@pytest.mark.slow
def test_scanned_pages_wait_without_ocr_and_only_those_files_are_read_once_it_is_on(tmp_path):
    files, expected = sample_files()
    papers: dict[str, Any] = {}
    home = tmp_path / "home"
    with serve(small_council(files, papers)) as server:
        crawl(server, home)
    write_config(home, "[ocr]\nenabled = false\n")
    assert run_komo("files", "extract", home=home).returncode == 0
    db = home / "published" / "komo.duckdb"
    check_sample_files(db, papers["paper"], expected, ocr=False)
    assert files_stats(home)["ocr_needed_pages"] == 2
    (home / "config" / "file-text.toml").unlink()
    assert run_komo("files", "extract", home=home).returncode == 0
    stats = files_stats(home)
    assert stats["read"] == 2 and stats["ocr_pages"] == 2 and stats["ocr_needed_pages"] == 0
    check_sample_files(db, papers["paper"], expected, ocr=True)


@needs_spec
@pytest.mark.slow
def test_a_files_run_killed_while_writing_converges_on_the_next_run(tmp_path):
    files, _ = sample_files()
    papers: dict[str, Any] = {}
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    with serve(small_council(files, papers)) as server:
        crawl(server, clean)
        crawl(server, killed)
    for home in (clean, killed):
        write_config(home, "[ocr]\nenabled = false\n")  # fast, and the same on every machine
    assert run_komo("files", "extract", home=clean).returncode == 0
    dead = run_komo("files", "extract", home=killed, env={"KOMO_KILL_AT": "files_batch"})
    assert dead.returncode != 0
    assert run_komo("files", "extract", home=killed).returncode == 0
    assert query(killed / "komo.duckdb", "SELECT status FROM runs WHERE command = 'files' ORDER BY run_id") == [
        ("aborted",), ("ok",)]
    assert store_content(killed) == store_content(clean)


@needs_spec
@pytest.mark.slow
def test_a_renamed_file_changes_its_document_unread_and_a_deleted_paper_takes_its_files_along(tmp_path):
    report, _ = samples.report_pdf(pages=2)
    files = [("Bericht", "bericht.pdf", report, "application/pdf")]
    papers: dict[str, Any] = {}
    home = tmp_path / "home"
    with serve(small_council(files, papers)) as server:
        crawl(server, home)
        assert run_komo("files", "extract", home=home).returncode == 0
        paper = papers["paper"]
        file_id = paper["mainFile"]["id"]
        paper["mainFile"]["name"] = "Bericht (neue Fassung)"
        paper["mainFile"]["modified"] = now_iso()
        server.council.touch(paper["id"])
        crawl(server, home)
        assert run_komo("files", "extract", home=home).returncode == 0
        stats = files_stats(home)
        assert (stats["read"], stats["documents_changed"]) == (0, 1)
        db = home / "published" / "komo.duckdb"
        assert query(db, "SELECT title FROM documents WHERE native_id = ?", [file_id]) == [("Bericht (neue Fassung)",)]
        server.council.delete(paper["id"])
        crawl(server, home)
        assert run_komo("files", "extract", home=home).returncode == 0
    assert files_stats(home)["documents_removed"] == 1
    for table, column in (("documents", "native_id"), ("file_texts", "file_id"), ("document_pages", "native_id")):
        assert query(db, f"SELECT count(*) FROM {table} WHERE {column} = ?", [file_id]) == [(0,)], table  # noqa: S608

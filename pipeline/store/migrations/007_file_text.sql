-- Kommunalmonitor store, version 7: the text of council files (PDFs, scanned pages included) as
-- documents (kind = 'file'), read by the files step (pipeline/files.py, pipeline/store/files.py):
-- what was read from which bytes by which reader, where each page lies in documents.body, and
-- why a file could not be read.

-- A file document belongs to the paper, agenda item or meeting that lists it: parent_id is that
-- object's OParl id, which is also the native_id of a paper's or agenda item's own document.
ALTER TABLE documents ADD COLUMN parent_kind VARCHAR;
ALTER TABLE documents ADD COLUMN parent_id VARCHAR;
COMMENT ON COLUMN documents.parent_kind IS 'file documents: paper, agenda_item or meeting that lists the file (a paper first when several do; file_documents lists them all); NULL for other kinds.';
COMMENT ON COLUMN documents.parent_id IS 'file documents: the OParl id of that paper, agenda item or meeting (= documents.native_id of a paper or agenda item).';

CREATE TABLE file_texts (
    source            VARCHAR NOT NULL,
    file_id           VARCHAR NOT NULL,   -- the OParl File id (= documents.native_id of its file document)
    sha256            VARCHAR NOT NULL,   -- of the bytes read (council_downloads.sha256 then)
    reader_version    VARCHAR NOT NULL,   -- crawler/pdftext.py EXTRACTOR_VERSION + crawler/filetext.py VERSION
    limits            VARCHAR NOT NULL,   -- the limits that applied (data/config/file-text.toml)
    ocr_available     BOOLEAN NOT NULL,   -- Tesseract with the OCR language was there when it was read
    status            VARCHAR NOT NULL,   -- ok | failed | unsupported
    reason            VARCHAR,            -- failed: not_pdf, too_large, truncated, corrupt, encrypted, timeout, missing, unreadable, crashed; unsupported: unsupported
    message           VARCHAR,            -- one line: what went wrong
    file_type         VARCHAR,            -- pdf | text | html (what it was read as); NULL when not read
    mime_type         VARCHAR,            -- Content-Type of the download, else the File's mimeType
    size              BIGINT,             -- bytes
    page_count        INTEGER,            -- pages in the file (PDF), 1 for text and HTML
    pages_read        INTEGER,            -- pages in documents.body (fewer than page_count when truncated)
    truncated_pages   BOOLEAN,            -- pages were left out (over max_pages or max_chars)
    ocr_pages         INTEGER,            -- pages read by Tesseract
    ocr_needed_pages  INTEGER,            -- pages without a text layer that were not OCR'd (no Tesseract, OCR failed or too slow)
    chars             BIGINT,             -- length of the text kept
    text_sha256       VARCHAR,            -- of the text kept (documents.body); with the metadata it makes documents.content_hash
    seconds           DOUBLE,             -- time to read it
    read_at           TIMESTAMP NOT NULL,
    run_id            INTEGER,
    PRIMARY KEY (source, file_id)
);
COMMENT ON TABLE file_texts IS 'One row per downloaded council file: the outcome of reading its text, for the bytes (sha256) and reader version named; a file is read again only when either changes (or when limits or OCR availability would change the outcome).';

CREATE TABLE document_pages (
    source      VARCHAR NOT NULL,
    native_id   VARCHAR NOT NULL,
    page        INTEGER NOT NULL,   -- 1-based page number in the file
    start_char  INTEGER NOT NULL,   -- offsets into documents.body: the page is body[start_char:end_char]
    end_char    INTEGER NOT NULL,
    ocr         BOOLEAN NOT NULL,   -- the page's text came from Tesseract
    ocr_needed  BOOLEAN NOT NULL,   -- the page has no text layer and was not OCR'd (its text is empty)
    PRIMARY KEY (source, native_id, page)
);
COMMENT ON TABLE document_pages IS 'Where each page of a file document lies in documents.body (pages are joined by a form feed, chr(12)): a search hit or mention at offset o is on the page with start_char <= o < end_char.';

CREATE VIEW file_documents AS
    SELECT d.source, d.native_id AS file_id, d.title, d.category, d.published, d.sender, d.parent_kind, d.parent_id,
           p.title AS parent_title, t.file_type, t.mime_type, t.size, t.page_count, t.pages_read, t.truncated_pages,
           t.ocr_pages, t.ocr_needed_pages, t.chars, t.seconds, f.papers, f.meetings, f.agenda_items,
           d.canonical_url, d.raw_ref, t.read_at, t.reader_version
    FROM documents d
    JOIN file_texts t ON t.source = d.source AND t.file_id = d.native_id
    LEFT JOIN documents p ON p.source = d.source AND p.native_id = d.parent_id
    LEFT JOIN council_files f ON f.source = d.source AND f.id = d.native_id
    WHERE d.kind = 'file';
COMMENT ON VIEW file_documents IS 'One row per council file whose text is a document: pages, OCR counts, the paper / agenda item / meeting it belongs to (parent_*) and every object that lists it.';

CREATE VIEW file_errors AS
    SELECT t.source, t.file_id, o.json->>'name' AS name, t.status, t.reason, t.message, t.mime_type, t.size,
           coalesce(o.json->>'downloadUrl', o.json->>'accessUrl') AS url, f.papers, f.meetings, f.agenda_items,
           t.read_at, t.run_id
    FROM file_texts t
    LEFT JOIN council_objects o ON o.source = t.source AND o.id = t.file_id
    LEFT JOIN council_files f ON f.source = t.source AND f.id = t.file_id
    WHERE t.status <> 'ok';
COMMENT ON VIEW file_errors IS 'Council files whose text could not be read (status failed: encrypted, corrupt, truncated, too large, timeout, ...) or is of a type komo does not read (status unsupported), with the reason.';

CREATE VIEW mention_pages AS
    SELECT m.source, m.native_id, m.kind, m.text, m.value, m.start_char, m.end_char, p.page, p.ocr, m.sentence
    FROM mentions m
    JOIN document_pages p ON p.source = m.source AND p.native_id = m.native_id
     AND m.start_char >= p.start_char AND m.start_char < p.end_char;
COMMENT ON VIEW mention_pages IS 'Mentions in file documents with the page of the file they are on.';

"""Press releases linked to the council papers they are about (`press_paper_links`, migration 012).

A release that names a paper's reference number (`Vorlage Nr. 2019/0147`, `Drucksache 2019/147`)
is linked by reference: numbers are compared by their digit groups without leading zeros, so
`2019/0147`, `2019/147` and `VO/2019/0147` are one number. A release that names none is compared
with the papers whose time it falls in (from `days_before` before the paper's date to `days_after`
after its last consultation): the share of the paper title's words (German Snowball stems,
weighted by how rare they are among paper titles) found in the release, plus `body_weight` when
a committee that handled the paper, or the office or faction behind it, is named in the release.
Links at or above `threshold`, and within `keep_ratio` of the release's best candidate, are kept.
Every link keeps the sentence of the release that carries the most of that evidence.

All of it is set-based SQL in the caller's transaction: incrementally, only releases that are new,
changed, linked with other settings, or fall in the window of a paper that changed since they were
read; `full` relinks every release.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

VERSION = "links-1"

# A reference number as releases write it: two or three digit groups joined by slashes, an
# optional letter prefix (VO/2019/123) left to the digit groups.
_REFERENCE = r"[0-9]{1,5}(?:\s?/\s?[0-9]{1,5}){1,2}"
# The letter words of a text, lower-cased (umlauts and ß kept: the German stemmer wants them).
_WORD = r"[a-zäöüß]+"


@dataclass(frozen=True)
class LinkSettings:
    """The linker's settings (data/config/links.toml)."""

    threshold: float = 0.4
    keep_ratio: float = 0.8
    body_weight: float = 0.2
    days_before: int = 30
    days_after: int = 120
    reference_years: int = 3
    min_word_length: int = 3
    stopwords: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()

    def version(self) -> str:
        """The linker version: code plus settings, so changed settings relink on the next run."""
        text = json.dumps(self.__dict__, sort_keys=True, ensure_ascii=False)
        return f"{VERSION}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"


@dataclass
class LinkResult:
    run_id: int | None = None
    releases: int = 0        # press releases (re)linked in this run
    by_reference: int = 0    # links by reference number
    by_similarity: int = 0   # links by title and bodies
    links: int = 0           # links in the store after the run

    def line(self) -> str:
        return (f"linked {self.releases} press releases: {self.by_reference} by reference, "
                f"{self.by_similarity} by similarity; {self.links} links in all")


def link_press_releases(con: duckdb.DuckDBPyConnection, settings: LinkSettings, run_id: int | None,
                        now: datetime, sources: list[str] | None = None, full: bool = False) -> LinkResult:
    """Relink the press releases that need it (all of `sources` when `full`); runs inside the
    caller's transaction. `sources` narrows to those press sources (None: every one)."""
    version = settings.version()
    params: dict[str, Any] = {"sources": sources, "version": version, "full": full,
                              "before": settings.days_before, "after": settings.days_after}
    _papers(con, settings)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_press AS
        SELECT d.source, d.native_id, d.published, d.content_hash,
               concat_ws(chr(10), d.title, d.body) AS text
        FROM documents d LEFT JOIN press_link_reads r ON r.press_source = d.source AND r.press_id = d.native_id
        WHERE d.kind = 'press' AND ($sources IS NULL OR list_contains($sources, d.source))
          AND ($full OR r.press_id IS NULL OR r.content_hash <> d.content_hash OR r.linker_version <> $version
               OR EXISTS (SELECT 1 FROM link_papers p WHERE p.changed > r.read_at
                          AND d.published BETWEEN p.first_date - $before AND p.last_date + $after))
        """, params)
    result = LinkResult(releases=con.execute("SELECT count(*) FROM link_press").fetchone()[0])
    if result.releases:
        _sentences(con, settings)
        _reference_links(con, settings)
        _similarity_links(con, settings)
        con.execute("DELETE FROM press_paper_links WHERE (press_source, press_id) IN "
                    "(SELECT source, native_id FROM link_press)")
        con.execute(
            """
            INSERT INTO press_paper_links
            SELECT source, native_id, council_source, paper_id, method, score, evidence, $version, $run
            FROM link_found
            """, {"version": version, "run": run_id})
        result.by_reference, result.by_similarity = con.execute(
            "SELECT count(*) FILTER (WHERE method = 'reference'), count(*) FILTER (WHERE method = 'similarity') "
            "FROM link_found").fetchone()
        con.execute(
            """
            INSERT OR REPLACE INTO press_link_reads
            SELECT p.source, p.native_id, p.content_hash, $version,
                   (SELECT count(*) FROM link_found f WHERE f.source = p.source AND f.native_id = p.native_id),
                   $now, $run
            FROM link_press p
            """, {"version": version, "now": now, "run": run_id})
    # Links whose release or paper is gone (deleted, no longer a paper) go with them.
    con.execute(
        """
        DELETE FROM press_paper_links l WHERE NOT EXISTS (
            SELECT 1 FROM documents d WHERE d.source = l.press_source AND d.native_id = l.press_id AND d.kind = 'press')
          OR NOT EXISTS (SELECT 1 FROM link_papers p WHERE p.source = l.council_source AND p.id = l.paper_id)
        """)
    result.links = con.execute("SELECT count(*) FROM press_paper_links").fetchone()[0]
    for name in ("link_papers", "link_paper_terms", "link_press", "link_sentences", "link_terms",
                 "link_found", "link_references"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return result


def _papers(con: duckdb.DuckDBPyConnection, settings: LinkSettings) -> None:
    """Live papers with their normalised reference, time span, the names of the bodies behind
    them, and the weighted stems of their titles."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_papers AS
        WITH dates AS (
            SELECT source, paper, min(meeting_date) AS first_meeting, max(meeting_date) AS last_meeting,
                   list(DISTINCT lower(committee)) FILTER (WHERE committee IS NOT NULL) AS committees
            FROM council_paper_consultations GROUP BY ALL
        ), behind AS (
            SELECT r.source, r.subject AS paper, list(DISTINCT lower(o.name)) AS names
            FROM council_relations r JOIN council_organizations o ON o.source = r.source AND o.id = r.object
            WHERE r.subject_type = 'Paper' AND r.relation IN ('originatorOrganization', 'underDirectionOf')
            GROUP BY ALL
        )
        SELECT p.source, p.id, p.name, p.date,
               array_to_string(list_transform(regexp_extract_all(p.reference, '[0-9]+'),
                                              g -> g::BIGINT::VARCHAR), '/') AS reference,
               least(p.date, d.first_meeting) AS first_date, greatest(p.date, d.last_meeting) AS last_date,
               list_distinct(list_concat(coalesce(d.committees, []), coalesce(b.names, []))) AS bodies,
               coalesce(doc.last_changed, p.modified) AS changed
        FROM council_papers p
        LEFT JOIN dates d ON d.source = p.source AND d.paper = p.id
        LEFT JOIN behind b ON b.source = p.source AND b.paper = p.id
        LEFT JOIN documents doc ON doc.source = p.source AND doc.native_id = p.id
        WHERE NOT p.deleted AND p.date IS NOT NULL
        """)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_paper_terms AS
        WITH words AS (
            SELECT DISTINCT source, id, stem(w, 'german') AS term
            FROM link_papers, unnest(regexp_extract_all(lower(name), $word)) AS u(w)
            WHERE length(w) >= $min AND NOT list_contains($stopwords, w)
        ), n AS (SELECT count(*) AS papers FROM link_papers)
        SELECT w.source, w.id, w.term, ln(1 + n.papers / count(*) OVER (PARTITION BY w.term)) AS weight
        FROM words w, n
        """, {"min": settings.min_word_length, "stopwords": list(settings.stopwords), "word": _WORD})


def _sentences(con: duckdb.DuckDBPyConnection, settings: LinkSettings) -> None:
    """The releases' sentences (the title is the first) and the stems of each."""
    # A period after an abbreviation (Nr., Drs.) does not end a sentence: it is glued to the next
    # word with a no-break space before splitting (a period followed by anything but a space, as in
    # 3.000 or 2019/0147., does not end one either), and put back after.
    abbreviations = "|".join(a.rstrip("*").replace(".", r"\.") for a in settings.abbreviations) or "Nr"
    con.execute(
        r"""
        CREATE OR REPLACE TEMP TABLE link_sentences AS
        SELECT p.source, p.native_id, p.published, s.i AS sentence_no,
               trim(replace(s.sentence, chr(160), ' ')) AS sentence
        FROM link_press p,
             unnest(regexp_extract_all(
                 regexp_replace(p.text, $abbreviations, '\1.' || chr(160), 'g'),
                 '(?:[^.!?\n]|[.!?][^\s.!?])+[.!?]*')) WITH ORDINALITY AS s(sentence, i)
        """, {"abbreviations": rf"\b({abbreviations})\. "})
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_terms AS
        SELECT DISTINCT source, native_id, sentence_no, stem(w, 'german') AS term
        FROM link_sentences, unnest(regexp_extract_all(lower(sentence), $word)) AS u(w)
        WHERE length(w) >= $min AND NOT list_contains($stopwords, w)
        """, {"min": settings.min_word_length, "stopwords": list(settings.stopwords), "word": _WORD})


def _reference_links(con: duckdb.DuckDBPyConnection, settings: LinkSettings) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_references AS
        WITH named AS (
            SELECT s.source, s.native_id, s.published, s.sentence_no, s.sentence,
                   array_to_string(list_transform(regexp_extract_all(r, '[0-9]+'), g -> g::BIGINT::VARCHAR), '/')
                       AS reference
            FROM link_sentences s, unnest(regexp_extract_all(s.sentence, $reference)) AS u(r)
        )
        SELECT n.source, n.native_id, p.source AS council_source, p.id AS paper_id, 'reference' AS method,
               1.0::DOUBLE AS score, arg_min(n.sentence, n.sentence_no) AS evidence
        FROM named n JOIN link_papers p
          ON p.reference = n.reference
          -- the digit groups of a VO/2019/0147 reference, named as 2019/0147
          OR (len(string_split(p.reference, '/')) = 3 AND p.reference LIKE '%/' || n.reference)
        WHERE contains(n.reference, '/') AND abs(datediff('day', p.date, n.published)) <= $days
        GROUP BY ALL
        """, {"days": 366 * settings.reference_years, "reference": _REFERENCE})


def _similarity_links(con: duckdb.DuckDBPyConnection, settings: LinkSettings) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_found AS
        WITH candidates AS (
            SELECT p.source, p.native_id, pp.source AS council_source, pp.id AS paper_id, pp.bodies, p.text
            FROM link_press p JOIN link_papers pp
              ON p.published BETWEEN pp.first_date - $before AND pp.last_date + $after
            WHERE NOT EXISTS (SELECT 1 FROM link_references r WHERE r.source = p.source AND r.native_id = p.native_id)
        ), matched AS (
            -- per candidate and sentence: the weight of the paper's title stems the sentence has
            SELECT c.source, c.native_id, c.council_source, c.paper_id, t.sentence_no, sum(pt.weight) AS weight
            FROM candidates c
            JOIN link_paper_terms pt ON pt.source = c.council_source AND pt.id = c.paper_id
            JOIN link_terms t ON t.source = c.source AND t.native_id = c.native_id AND t.term = pt.term
            GROUP BY ALL
        ), covered AS (
            -- the title stems found anywhere in the release
            SELECT c.source, c.native_id, c.council_source, c.paper_id, sum(pt.weight) AS weight
            FROM candidates c
            JOIN link_paper_terms pt ON pt.source = c.council_source AND pt.id = c.paper_id
            WHERE EXISTS (SELECT 1 FROM link_terms t WHERE t.source = c.source AND t.native_id = c.native_id
                          AND t.term = pt.term)
            GROUP BY ALL
        ), totals AS (
            SELECT source AS council_source, id AS paper_id, sum(weight) AS total FROM link_paper_terms GROUP BY ALL
        ), bodies AS (
            -- a committee or the office behind the paper named in the release (as a body mention or verbatim)
            SELECT DISTINCT c.source, c.native_id, c.council_source, c.paper_id
            FROM candidates c, unnest(c.bodies) AS u(body)
            WHERE contains(lower(c.text), body)
               OR EXISTS (SELECT 1 FROM mentions m WHERE m.source = c.source AND m.native_id = c.native_id
                          AND m.kind = 'body' AND lower(m.value) = body)
        ), scored AS (
            SELECT v.source, v.native_id, v.council_source, v.paper_id,
                   v.weight / t.total + CASE WHEN b.paper_id IS NULL THEN 0 ELSE $body_weight END AS score
            FROM covered v JOIN totals t ON t.council_source = v.council_source AND t.paper_id = v.paper_id
            LEFT JOIN bodies b ON b.source = v.source AND b.native_id = v.native_id
                 AND b.council_source = v.council_source AND b.paper_id = v.paper_id
        ), kept AS (
            SELECT *, max(score) OVER (PARTITION BY source, native_id) AS best FROM scored
        )
        SELECT k.source, k.native_id, k.council_source, k.paper_id, 'similarity' AS method,
               round(k.score, 4) AS score,
               (SELECT s.sentence FROM matched m JOIN link_sentences s
                  ON s.source = m.source AND s.native_id = m.native_id AND s.sentence_no = m.sentence_no
                WHERE m.source = k.source AND m.native_id = k.native_id AND m.council_source = k.council_source
                  AND m.paper_id = k.paper_id
                ORDER BY m.weight DESC, m.sentence_no LIMIT 1) AS evidence
        FROM kept k
        WHERE k.score >= $threshold AND k.score >= $ratio * k.best
        UNION ALL
        SELECT * FROM link_references
        """, {"before": settings.days_before, "after": settings.days_after, "body_weight": settings.body_weight,
              "threshold": settings.threshold, "ratio": settings.keep_ratio})


def candidate_scores(con: duckdb.DuckDBPyConnection, settings: LinkSettings) -> list[tuple]:
    """Every (press source, press id, council source, paper id, score) the similarity would weigh,
    before the threshold: what `komo evaluate links --sweep` chooses the threshold on."""
    tuned = LinkSettings(**{**settings.__dict__, "threshold": 0.0, "keep_ratio": 0.0})
    con.execute("DELETE FROM press_link_reads")
    link_press_releases(con, tuned, None, datetime.now(), full=True)
    return con.execute("SELECT press_source, press_id, council_source, paper_id, method, score "
                       "FROM press_paper_links").fetchall()

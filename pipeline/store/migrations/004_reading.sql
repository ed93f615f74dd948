-- Kommunalmonitor store, version 4: districts, and views for the questions readers ask most.
-- Every trend view counts a republished release once (documents.duplicate_of IS NULL).

CREATE TABLE districts (
    city          VARCHAR NOT NULL,
    district      VARCHAR NOT NULL,   -- Stadtteil as reports show it
    stadtbezirk   VARCHAR,
    source        VARCHAR,            -- crawl source whose URLs carry a district code
    archive_code  INTEGER             -- value of the `stadtteil=` URL parameter
);
COMMENT ON TABLE districts IS 'The city''s districts from data/places/*.toml (replaced on every extraction run), with the press archive''s district codes.';

CREATE VIEW articles AS
    SELECT * FROM documents WHERE duplicate_of IS NULL;
COMMENT ON VIEW articles IS 'Documents without republished copies: count trends here.';

CREATE VIEW document_districts AS
    SELECT DISTINCT d.source, d.native_id, dist.district, 'archive' AS evidence, NULL::VARCHAR AS sentence
    FROM (SELECT source, native_id,
                 TRY_CAST(regexp_extract(unnest(url_forms), '[?&]stadtteil=(\d+)', 1) AS INTEGER) AS code
          FROM documents) d
    JOIN districts dist ON dist.source = d.source AND dist.archive_code = d.code
    UNION ALL
    SELECT source, native_id, value AS district, 'text' AS evidence, sentence
    FROM mentions WHERE kind = 'district';
COMMENT ON VIEW document_districts IS 'Where a document is located: from the archive''s stadtteil URL parameter (evidence = archive) or a district named in its text (evidence = text, with the sentence).';

-- `topics` keeps the rows of every model that ever classified (for comparisons); summing over
-- them would double-count, so trends read the labels of the model used last.
CREATE VIEW current_topics AS
    SELECT * FROM topics
    WHERE model_name = (SELECT model_name FROM topics GROUP BY model_name ORDER BY max(classified_at) DESC LIMIT 1);
COMMENT ON VIEW current_topics IS 'The topics rows of the classifier model that labelled documents most recently.';

CREATE VIEW topic_trend_monthly AS
    WITH months AS (
        SELECT date_trunc('month', published)::DATE AS month, count(*) AS all_documents
        FROM articles WHERE published IS NOT NULL GROUP BY ALL
    ), labelled AS (
        SELECT date_trunc('month', a.published)::DATE AS month, t.model_name, t.label_set, t.label,
               count(*) AS documents
        FROM current_topics t JOIN articles a USING (source, native_id)
        WHERE t.assigned AND a.published IS NOT NULL
        GROUP BY ALL
    )
    SELECT l.month, l.model_name, l.label_set, l.label, l.documents, m.all_documents,
           l.documents / m.all_documents AS share
    FROM labelled l JOIN months m USING (month);
COMMENT ON VIEW topic_trend_monthly IS 'Per month and label of the current classifier model (integration, action field, topic): articles with the label, all articles that month, and the share.';

CREATE VIEW action_field_trend_monthly AS
    SELECT month, model_name, label AS action_field, documents, all_documents, share
    FROM topic_trend_monthly WHERE label_set = 'action_field';
COMMENT ON VIEW action_field_trend_monthly IS 'Trend by month and action field (current classifier model); share of all articles that month.';

CREATE VIEW street_mentions AS
    SELECT m.value AS street, count(*) AS mentions, count(DISTINCT (m.source, m.native_id)) AS documents,
           min(a.published) AS first_published, max(a.published) AS last_published
    FROM mentions m JOIN articles a USING (source, native_id)
    WHERE m.kind = 'address'
    GROUP BY m.value;
COMMENT ON VIEW street_mentions IS 'Mentions per street (normalised name) with the articles that name it and when.';

CREATE VIEW bodies_per_year AS
    SELECT year(a.published) AS year, m.value AS body, count(*) AS mentions,
           count(DISTINCT (m.source, m.native_id)) AS documents
    FROM mentions m JOIN articles a USING (source, native_id)
    WHERE m.kind = 'body' AND a.published IS NOT NULL
    GROUP BY ALL;
COMMENT ON VIEW bodies_per_year IS 'Council bodies and administrative units per year: mentions and articles naming them.';

CREATE VIEW districts_per_year AS
    SELECT year(a.published) AS year, dd.district, count(DISTINCT (dd.source, dd.native_id)) AS documents
    FROM document_districts dd JOIN articles a USING (source, native_id)
    WHERE a.published IS NOT NULL
    GROUP BY ALL;
COMMENT ON VIEW districts_per_year IS 'Articles per district and year (archive parameter or district named in the text).';

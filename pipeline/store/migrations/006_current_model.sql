-- Kommunalmonitor store, version 6: trends count the labels of one classifier model.
-- `topics` keeps the rows of every model that ever classified (for comparisons); summing over
-- them double-counts. Trend views and the README's questions read `current_topics`.

CREATE VIEW current_topics AS
    SELECT * FROM topics
    WHERE model_name = (SELECT model_name FROM topics GROUP BY model_name ORDER BY max(classified_at) DESC LIMIT 1);
COMMENT ON VIEW current_topics IS 'The topics rows of the classifier model that labelled documents most recently.';

CREATE OR REPLACE VIEW topic_trend_monthly AS
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
COMMENT ON VIEW action_field_trend_monthly IS 'Trend by month and action field (current classifier model); share of all articles that month.';

-- Kommunalmonitor store, version 3: what the topic classifier (models/) said about each document.

CREATE TABLE topics (
    source         VARCHAR NOT NULL,
    native_id      VARCHAR NOT NULL,
    label_set      VARCHAR NOT NULL,   -- integration | action_field | topic
    label          VARCHAR NOT NULL,   -- 'integration', an action field id, or a topic id
    score          DOUBLE NOT NULL,    -- the model's probability for the label
    assigned       BOOLEAN NOT NULL,   -- whether the document gets the label (score vs. tuned threshold)
    model_name     VARCHAR NOT NULL,
    model_version  VARCHAR NOT NULL,
    model_hash     VARCHAR NOT NULL,   -- sha256 over the model's fitted parameters
    run_id         INTEGER,
    classified_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (source, native_id, model_name, label_set, label)
);
COMMENT ON TABLE topics IS 'One row per document x label of the topic classifier: score, whether assigned, and the model (name, version, content hash) that said so.';
COMMENT ON COLUMN topics.score IS 'Calibrated probability; for action fields P(integration) x P(field | integration). Topic scores sum to 1 per document.';
COMMENT ON COLUMN topics.assigned IS 'Integration and action fields: score above the label''s tuned threshold (fields only for integration documents); topic: the most likely one.';
COMMENT ON COLUMN topics.model_hash IS 'Content hash of the model parameters (not the file bytes): every label traces to the model that gave it.';

CREATE VIEW document_topics AS
    SELECT source, native_id, model_name,
           bool_or(assigned) FILTER (WHERE label_set = 'integration') AS integration,
           coalesce(list(label ORDER BY label) FILTER (WHERE label_set = 'action_field' AND assigned), []::VARCHAR[]) AS action_fields,
           any_value(label) FILTER (WHERE label_set = 'topic' AND assigned) AS topic,
           any_value(model_version) AS model_version, any_value(model_hash) AS model_hash
    FROM topics GROUP BY source, native_id, model_name;
COMMENT ON VIEW document_topics IS 'One row per classified document and model: integration yes/no, its action fields and its topic.';

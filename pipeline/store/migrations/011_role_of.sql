-- What a person's role is of, kept apart from the role (labelling.md): "Vorsitzender" of the
-- "Integrationsrat". A canonical body name, NULL when the text gives none.
ALTER TABLE mentions ADD COLUMN role_of VARCHAR;
COMMENT ON COLUMN mentions.role_of IS 'Persons: the body their role is of (canonical name), e.g. Integrationsrat for a Vorsitzender.';

CREATE OR REPLACE VIEW mention_persons AS
    SELECT source, native_id, text, value AS person, role, role_of, start_char, end_char, sentence
    FROM mentions WHERE kind = 'person';
COMMENT ON VIEW mention_persons IS 'Persons with their role (head noun) and what the role is of; one identity across documents is name + role.';

-- Across documents a person is identified by name + role + what the role is of.
CREATE OR REPLACE VIEW person_identities AS
    SELECT m.value AS person, m.role, m.role_of, count(DISTINCT (m.source, m.native_id)) AS documents,
           min(d.published) AS first_published, max(d.published) AS last_published
    FROM mentions m JOIN documents d USING (source, native_id)
    WHERE m.kind = 'person'
    GROUP BY m.value, m.role, m.role_of;
COMMENT ON VIEW person_identities IS 'One row per person identity (name + role + what the role is of) with how many documents name them.';

-- The one rule of who may be named (core/privacy.py holds the patterns): a role, read together
-- with what it is of ("Vorsitzende Integrationsrat"), matches the public-role pattern.
CREATE MACRO public_role(role, role_of, pattern) AS
    role IS NOT NULL AND regexp_matches(concat_ws(' ', role, role_of), pattern);

-- Near-duplicates found incrementally (pipeline/store/duplicates.py): every press document is signed
-- once per version (MinHash over word 4-shingles, cut into LSH bands); a load compares only the
-- documents it signs with the documents that share a band with them, and keeps the verified pairs.

CREATE TABLE near_duplicate_signed (
    source        VARCHAR NOT NULL,
    native_id     VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    params        VARCHAR NOT NULL,
    PRIMARY KEY (source, native_id)
);
COMMENT ON TABLE near_duplicate_signed IS 'Which version of each press document has its LSH bands in near_duplicate_bands, and with which MinHash parameters.';

CREATE TABLE near_duplicate_bands (
    source     VARCHAR NOT NULL,
    native_id  VARCHAR NOT NULL,
    band       UTINYINT NOT NULL,
    key        BIGINT NOT NULL
);
COMMENT ON TABLE near_duplicate_bands IS 'LSH bands of each signed document: documents sharing (source, band, key) are candidate near-duplicates.';

CREATE TABLE near_duplicate_pairs (
    source     VARCHAR NOT NULL,
    a          VARCHAR NOT NULL,
    b          VARCHAR NOT NULL,
    jaccard    DOUBLE NOT NULL,
    PRIMARY KEY (source, a, b)
);
COMMENT ON TABLE near_duplicate_pairs IS 'Candidate pairs (a < b) whose word 4-shingles overlap by at least the threshold (exact Jaccard); their connected components are the groups behind documents.duplicate_of.';

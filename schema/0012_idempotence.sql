-- Idempotency keys of the API's writes: the first commit of a request sent with an
-- `Idempotency-Key` records the key (hashed) with the hash of the request, in the same
-- transaction as what the request wrote; its answer is added once sent. The same key and
-- request within 24 hours gets that answer again, and nothing is written twice; the same key
-- with another request is refused. Rows older than 24 hours are deleted by the daily upkeep.
CREATE TABLE idempotence (
    compte_id    TEXT NOT NULL REFERENCES compte(id) ON DELETE CASCADE,
    cle          BLOB NOT NULL,                  -- SHA-256 of the key
    empreinte    BLOB NOT NULL,                  -- SHA-256 of the method, path and body
    cree_le      TEXT NOT NULL,
    statut       INTEGER,                        -- the answer, once sent
    type_contenu TEXT,
    location     TEXT,
    corps        BLOB,
    PRIMARY KEY (compte_id, cle)
) STRICT;
CREATE INDEX idempotence_date ON idempotence(cree_le);

-- Issue 11: statistical releases. The files live outside the database
-- (registre.db.publications/<id>/); the database keeps what was released, when, by whom's
-- département, and whether the pseudonymisation key was kept (never the key itself).
CREATE TABLE publication (
    id             TEXT PRIMARY KEY,
    departement_id TEXT NOT NULL REFERENCES departement(id),
    annee          INTEGER NOT NULL,
    creee_le       TEXT NOT NULL,
    eleves         INTEGER NOT NULL CHECK (eleves >= 0),   -- lines of the pupil-level extract
    exclus         INTEGER NOT NULL CHECK (exclus >= 0),   -- left out: no INE, or an accepted opposition
    cle_conservee  INTEGER NOT NULL CHECK (cle_conservee IN (0, 1))
) STRICT;
CREATE INDEX publication_departement ON publication(departement_id, annee);

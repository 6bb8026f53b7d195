-- Issue 11: the prévision des effectifs for the next school year. Counts only, no pupil.

-- The directeur's adjustments of the montée pédagogique, per niveau, with a justification
-- about the school (a new housing estate, a class opening), never about a pupil.
CREATE TABLE prevision_ajustement (
    ecole_id      TEXT NOT NULL REFERENCES ecole(id),
    annee         INTEGER NOT NULL,                  -- the year forecast (N+1)
    niveau        TEXT NOT NULL CHECK (niveau IN ('TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2')),
    entrees       INTEGER NOT NULL CHECK (entrees BETWEEN 0 AND 500),  -- pupils expected to join
    departs       INTEGER NOT NULL CHECK (departs BETWEEN 0 AND 500),  -- pupils expected to leave
    justification TEXT,
    saisie_le     TEXT NOT NULL,
    PRIMARY KEY (ecole_id, annee, niveau)
) STRICT, WITHOUT ROWID;

-- A school's forecast as validated (the gap to the previous forecast, then to the constat).
CREATE TABLE prevision_validee (
    ecole_id  TEXT NOT NULL REFERENCES ecole(id),
    annee     INTEGER NOT NULL,
    niveau    TEXT NOT NULL CHECK (niveau IN ('TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2')),
    eleves    INTEGER NOT NULL CHECK (eleves >= 0),
    valide_le TEXT NOT NULL,
    PRIMARY KEY (ecole_id, annee, niveau)
) STRICT, WITHOUT ROWID;

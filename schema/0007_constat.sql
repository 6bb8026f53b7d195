-- Issue 11: the constat des effectifs. Counts only, never a pupil: kept from year to year for
-- the change against last year's constat and the trend.

-- The département's campaign for a school year, opened and closed by the IA-DASEN.
CREATE TABLE campagne_constat (
    departement_id TEXT NOT NULL REFERENCES departement(id),
    annee          INTEGER NOT NULL,
    ouverte_le     TEXT NOT NULL,
    close_le       TEXT,
    PRIMARY KEY (departement_id, annee)
) STRICT, WITHOUT ROWID;

-- A school's validated constat: frozen, what the reports show.
CREATE TABLE constat (
    ecole_id  TEXT NOT NULL REFERENCES ecole(id),
    annee     INTEGER NOT NULL,
    valide_le TEXT NOT NULL,
    classes   INTEGER NOT NULL CHECK (classes >= 0),
    ulis      INTEGER NOT NULL CHECK (ulis >= 0),
    sans_ine  INTEGER NOT NULL CHECK (sans_ine >= 0),
    PRIMARY KEY (ecole_id, annee)
) STRICT, WITHOUT ROWID;

CREATE TABLE constat_niveau (
    ecole_id TEXT NOT NULL,
    annee    INTEGER NOT NULL,
    niveau   TEXT NOT NULL CHECK (niveau IN ('TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2')),
    eleves   INTEGER NOT NULL CHECK (eleves >= 0),
    classes  INTEGER NOT NULL CHECK (classes >= 0),
    PRIMARY KEY (ecole_id, annee, niveau),
    FOREIGN KEY (ecole_id, annee) REFERENCES constat(ecole_id, annee) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

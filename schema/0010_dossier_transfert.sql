-- Issue 12: the schooling a pupil had in another installation (another département), brought
-- at admission by a signed transfer dossier. Category IV only (year, school, niveau, state,
-- dates); erased with the pupil (retention, DOMAIN.md §4). The schools are named, not linked:
-- they are not in this installation.
CREATE TABLE scolarite_anterieure (
    eleve_id       TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    annee          INTEGER NOT NULL CHECK (annee BETWEEN 2000 AND 2099),
    uai            TEXT NOT NULL CHECK (length(uai) = 8),
    ecole          TEXT NOT NULL,
    niveau         TEXT NOT NULL CHECK (niveau IN ('TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2')),
    etat           TEXT NOT NULL CHECK (etat IN ('admis_provisoire', 'admis_definitif', 'radie', 'parti')),
    date_admission TEXT NOT NULL,
    date_sortie    TEXT,
    PRIMARY KEY (eleve_id, annee, uai)
) STRICT, WITHOUT ROWID;

-- Issue 10: correcting a record, and the families' rights (DOMAIN.md §5, §8).
--
-- Corrections themselves overwrite the stored values in place (categories I–III keep only the
-- year's last version; `secure_delete` overwrites the freed bytes): the journal names the fields
-- changed, never their values.

-- The fiche de renseignements came back from the family, checked and signed, this year.
CREATE TABLE fiche_retour (
    eleve_id  TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    annee     INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    saisie_le TEXT NOT NULL,
    PRIMARY KEY (eleve_id, annee)
) STRICT, WITHOUT ROWID;

-- A responsable's request to rectify one field of the record. The proposed value and the
-- comment are kept only while the request is pending: once decided, an accepted value lives
-- in the record and a refused one is not kept.
CREATE TABLE rectification (
    id             TEXT PRIMARY KEY,
    eleve_id       TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    responsable_id TEXT NOT NULL,               -- who filed it (the parent's account perimeter)
    champ          TEXT NOT NULL,               -- 'eleve.adresse', 'responsable.<id>.tel_portable', 'autre'…
    valeur         TEXT,                        -- proposed value, cleared at the decision
    commentaire    TEXT,                        -- cleared at the decision
    etat           TEXT NOT NULL CHECK (etat IN ('en_attente', 'acceptee', 'refusee')),
    motif_refus    TEXT,
    depose_le      TEXT NOT NULL,
    decide_le      TEXT
) STRICT;
CREATE INDEX rectification_eleve ON rectification(eleve_id, etat);

-- Opposition for legitimate reasons (Conseil d'État, 2010): filed by the family, decided by the
-- IA-DASEN with a reason. The family's reasons are kept until the decision, then cleared.
CREATE TABLE opposition (
    id             TEXT PRIMARY KEY,
    eleve_id       TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    responsable_id TEXT NOT NULL,
    motifs         TEXT,
    etat           TEXT NOT NULL CHECK (etat IN ('en_attente', 'acceptee', 'refusee')),
    motif_decision TEXT,
    depose_le      TEXT NOT NULL,
    decide_le      TEXT
) STRICT;
CREATE INDEX opposition_eleve ON opposition(eleve_id, etat);

-- « Mot de passe oublié »: the request waits for the account's manager (or was answered by
-- mail); one row per account, the latest.
CREATE TABLE demande_reinitialisation (
    compte_id TEXT PRIMARY KEY REFERENCES compte(id) ON DELETE CASCADE,
    le        TEXT NOT NULL
) STRICT, WITHOUT ROWID;

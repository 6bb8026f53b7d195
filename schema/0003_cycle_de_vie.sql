-- 0003: the pupil's lifecycle: inscriptions at the mairie, admissions, passages, radiations,
-- certificates with verification codes, and what retention needs.

-- Inscription by the mairie (or by the school where the mairie does not use the system).
CREATE TABLE inscription (
    id          TEXT PRIMARY KEY,
    eleve_id    TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    commune_id  TEXT NOT NULL REFERENCES commune(id),
    annee       INTEGER NOT NULL CHECK (annee BETWEEN 2000 AND 2099),  -- may be the coming year
    mode        TEXT NOT NULL CHECK (mode IN ('ecole', 'cned', 'hopital', 'etablissement_specialise', 'instruction_famille')),
    ecole_id    TEXT REFERENCES ecole(id),       -- the designated school (mode 'ecole')
    niveau      TEXT NOT NULL CHECK (niveau IN ('TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2')),
    etat        TEXT NOT NULL CHECK (etat IN ('en_attente', 'inscrit', 'annule', 'admis')),
    par_ecole   INTEGER NOT NULL DEFAULT 0 CHECK (par_ecole IN (0, 1)),  -- recorded by the school
    cree_le     TEXT NOT NULL,
    inscrit_le  TEXT,
    clos_le     TEXT                             -- cancelled or admitted
) STRICT;
CREATE INDEX inscription_eleve ON inscription(eleve_id);
CREATE INDEX inscription_commune ON inscription(commune_id, etat);
CREATE INDEX inscription_ecole ON inscription(ecole_id, etat);

-- What the admission, the radiation and the legal register need on the yearly record.
ALTER TABLE scolarite ADD COLUMN pieces_manquantes TEXT;  -- codes of missing papers, comma-separated
ALTER TABLE scolarite ADD COLUMN inscription_id TEXT REFERENCES inscription(id);
ALTER TABLE scolarite ADD COLUMN quitte INTEGER NOT NULL DEFAULT 0 CHECK (quitte IN (0, 1));  -- leaves at the end of the year
ALTER TABLE scolarite ADD COLUMN motif_sortie TEXT CHECK (motif_sortie IS NULL OR motif_sortie IN ('demenagement',
    'changement_ecole', 'instruction_famille', 'depart_etranger', 'fin_scolarite_primaire', 'autre', 'fin_d_annee'));
ALTER TABLE scolarite ADD COLUMN destination TEXT;         -- the next school (UAI and name, or as told)
ALTER TABLE scolarite ADD COLUMN ecole_precedente TEXT;    -- registre: previous school (UAI and name)
ALTER TABLE scolarite ADD COLUMN radiation_precedente TEXT; -- registre: date of its certificat de radiation

-- When the pupil left primary schooling: the retention clock (erased on 31 December of that year).
ALTER TABLE eleve ADD COLUMN sortie_premier_degre TEXT;

-- Passage procedure, one per pupil and year.
CREATE TABLE passage (
    eleve_id      TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    annee         INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    proposition   TEXT CHECK (proposition IN ('passage', 'maintien', 'anticipe')),
    propose_le    TEXT,
    reponse       TEXT CHECK (reponse IN ('accepte', 'conteste')),
    repondu_le    TEXT,
    decision      TEXT CHECK (decision IN ('passage', 'maintien', 'anticipe')),
    decide_le     TEXT,
    recours_le    TEXT,
    recours_issue TEXT CHECK (recours_issue IN ('passage', 'maintien', 'anticipe')),
    tranche_le    TEXT,
    PRIMARY KEY (eleve_id, annee)
) STRICT, WITHOUT ROWID;

-- Certificates: one number and one verification code per certified fact (reprints are copies).
CREATE TABLE certificat (
    numero    TEXT PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    type      TEXT NOT NULL CHECK (type IN ('inscription', 'scolarite', 'radiation')),
    sujet     TEXT NOT NULL UNIQUE,
    eleve_id  TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    emetteur  TEXT NOT NULL,                     -- the school or the mairie, as printed
    initiales TEXT NOT NULL,                     -- all the public verification page shows of the pupil
    emis_le   TEXT NOT NULL
) STRICT;

CREATE TABLE sequence_certificat (
    prefixe TEXT NOT NULL,
    annee   INTEGER NOT NULL,
    dernier INTEGER NOT NULL,
    PRIMARY KEY (prefixe, annee)
) STRICT, WITHOUT ROWID;

-- The rentrée done per département and année scolaire closed (it never runs twice).
CREATE TABLE rentree (
    departement_id TEXT NOT NULL REFERENCES departement(id),
    annee          INTEGER NOT NULL,
    faite_le       TEXT NOT NULL,
    PRIMARY KEY (departement_id, annee)
) STRICT, WITHOUT ROWID;

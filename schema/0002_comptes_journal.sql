-- 0002: collèges (the principal's perimeter), accounts, sessions, settings and the audit journal.
--
-- No password, token, session id or TOTP secret is stored in clear: passwords are argon2id
-- hashes, tokens and session ids SHA-256 hashes, TOTP secrets encrypted under the key file.

CREATE TABLE college (
    id         TEXT PRIMARY KEY,
    uai        TEXT NOT NULL UNIQUE CHECK (length(uai) = 8),
    nom        TEXT NOT NULL,
    commune_id TEXT NOT NULL REFERENCES commune(id)
) STRICT;

-- The collège a CM2 pupil of année `annee` enters in 6e at the next rentrée.
CREATE TABLE affectation_college (
    eleve_id   TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    annee      INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    college_id TEXT NOT NULL REFERENCES college(id),
    PRIMARY KEY (eleve_id, annee)
) STRICT, WITHOUT ROWID;
CREATE INDEX affectation_college_college ON affectation_college(college_id);

CREATE TABLE compte (
    id                  TEXT PRIMARY KEY,
    login               TEXT NOT NULL UNIQUE,    -- lower-case
    role                TEXT NOT NULL CHECK (role IN ('directeur', 'agent_mairie', 'ien', 'ia_dasen', 'statisticien',
                                                      'responsable', 'principal_college', 'admin_technique')),
    perimetre_genre     TEXT NOT NULL,
    perimetre_id        TEXT,
    nom                 TEXT,                    -- the holder's name, for staff (shown to colleagues, not parents)
    etat                TEXT NOT NULL CHECK (etat IN ('en_attente', 'actif', 'desactive')),
    mot_de_passe        TEXT,                    -- argon2id PHC string
    totp_chiffre        BLOB,                    -- XChaCha20-Poly1305(nonce ‖ secret) under the key file
    totp_confirme       INTEGER NOT NULL DEFAULT 0 CHECK (totp_confirme IN (0, 1)),
    totp_derniere_etape INTEGER,                 -- last accepted time step: a code is accepted once
    echecs              INTEGER NOT NULL DEFAULT 0,
    verrou_jusqua       TEXT,
    cree_le             TEXT NOT NULL,
    cree_par            TEXT NOT NULL,           -- account id, or 'operateur'
    active_le           TEXT,
    derniere_connexion  TEXT
) STRICT;
CREATE INDEX compte_perimetre ON compte(perimetre_genre, perimetre_id);

CREATE TABLE echec_connexion (
    compte_id TEXT NOT NULL REFERENCES compte(id) ON DELETE CASCADE,
    le        TEXT NOT NULL
) STRICT;
CREATE INDEX echec_connexion_compte ON echec_connexion(compte_id, le);

-- Single-use links: activation (≤ 72 h) and password reset.
CREATE TABLE jeton (
    empreinte TEXT PRIMARY KEY,                  -- SHA-256 of the token
    compte_id TEXT NOT NULL REFERENCES compte(id) ON DELETE CASCADE,
    usage     TEXT NOT NULL CHECK (usage IN ('activation', 'reinitialisation')),
    expire_le TEXT NOT NULL,
    utilise_le TEXT
) STRICT;

CREATE TABLE code_secours (
    compte_id  TEXT NOT NULL REFERENCES compte(id) ON DELETE CASCADE,
    empreinte  TEXT NOT NULL,                    -- HMAC-SHA-256 of the code under the key file
    utilise_le TEXT,
    PRIMARY KEY (compte_id, empreinte)
) STRICT, WITHOUT ROWID;

CREATE TABLE session (
    empreinte      TEXT PRIMARY KEY,             -- SHA-256 of the session id
    compte_id      TEXT NOT NULL REFERENCES compte(id) ON DELETE CASCADE,
    cree_le        TEXT NOT NULL,
    vue_le         TEXT NOT NULL,
    authentifie_le TEXT NOT NULL,
    second_facteur INTEGER NOT NULL CHECK (second_facteur IN (0, 1))
) STRICT;
CREATE INDEX session_compte ON session(compte_id);

-- Settings of the département (the mairie's widened view, …).
CREATE TABLE parametre (
    cle    TEXT PRIMARY KEY,
    valeur TEXT NOT NULL
) STRICT;

-- The audit journal: append-only (triggers), each row chained to the previous one by
-- HMAC-SHA-256 under a key of the key file. `registre check` verifies the chain.
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    le        TEXT NOT NULL,
    acteur    TEXT NOT NULL,                     -- account id, or 'operateur'
    role      TEXT NOT NULL,
    fonction  TEXT NOT NULL,                     -- « direction de l'école … »: what parents are shown
    action    TEXT NOT NULL,
    ressource TEXT NOT NULL,
    cible     TEXT,
    eleve_id  TEXT,                              -- the pupil concerned, for the parents' view
    detail    TEXT,                              -- JSON; never a secret
    mac       TEXT NOT NULL
) STRICT;
CREATE INDEX journal_eleve ON journal(eleve_id) WHERE eleve_id IS NOT NULL;

CREATE TRIGGER journal_sans_modification BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'le journal est en ajout seul'); END;
CREATE TRIGGER journal_sans_suppression BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'le journal est en ajout seul'); END;

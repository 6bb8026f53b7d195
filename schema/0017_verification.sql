-- The yearly check online (README « La vérification annuelle en ligne », docs/domaine.md §5):
-- families confirm or correct the fiche de renseignements from home; the school decides.

-- A school's campaign for a school year: opened by its director, or by the IA-DASEN for every
-- school of the département at once (one row per school, so each director may then move the
-- reminders). Families answer until `fin` (included).
CREATE TABLE campagne_verification (
    ecole_id         TEXT NOT NULL REFERENCES ecole(id) ON DELETE CASCADE,
    annee            INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    fin              TEXT NOT NULL,                     -- last day to answer (YYYY-MM-DD)
    relances         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(relances)), -- dates (YYYY-MM-DD)
    derniere_relance TEXT,                              -- the latest reminder date already sent
    par_departement  INTEGER NOT NULL DEFAULT 0 CHECK (par_departement IN (0, 1)),
    ouverte_le       TEXT NOT NULL,
    PRIMARY KEY (ecole_id, annee)
) STRICT, WITHOUT ROWID;

-- A family's answer for one block of the fiche: the pupil's address (`eleve`), the contacts
-- (`contacts`), the year's answers (`annuel`), all three about `eleve_id`; or a responsable's
-- own details (`responsable`), about `sujet` = that responsable, checked once for all the
-- siblings at the school. What was proposed is kept only while the school has not decided:
-- accepted, it lives in the record; refused, only the school's reason is kept.
CREATE TABLE verification (
    id             TEXT PRIMARY KEY,
    ecole_id       TEXT NOT NULL REFERENCES ecole(id) ON DELETE CASCADE,
    annee          INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    eleve_id       TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    bloc           TEXT NOT NULL CHECK (bloc IN ('eleve', 'responsable', 'contacts', 'annuel')),
    sujet          TEXT NOT NULL,                        -- eleve_id, or the responsable's id
    responsable_id TEXT NOT NULL,                        -- who answered
    etat           TEXT NOT NULL CHECK (etat IN ('confirme', 'propose', 'accepte', 'refuse')),
    proposition    TEXT CHECK (proposition IS NULL OR json_valid(proposition)),
    motif_refus    TEXT,
    repondu_le     TEXT NOT NULL,
    decide_le      TEXT,
    UNIQUE (annee, ecole_id, bloc, sujet)
) STRICT;
CREATE INDEX verification_eleve ON verification(eleve_id, annee);
CREATE INDEX verification_a_decider ON verification(ecole_id, annee, etat);

-- 0001: territories, pupils (categories I to V of the arrêté of 20 October 2008) and schooling.
--
-- What may be stored is exactly DOMAIN.md §4: there is no column for nationality, origin, date
-- of entry into France, languages, parents' occupation, family situation, absenteeism,
-- disability, health or RASED help, and free text is kept to names and addresses.
-- tests/it/schema.rs fails if a column appears that is not on its reviewed list.
-- Released migrations never change: add a new file instead.

-- Territories ---------------------------------------------------------------------------------

CREATE TABLE academie (
    id   TEXT PRIMARY KEY,
    nom  TEXT NOT NULL
) STRICT;

CREATE TABLE departement (
    id          TEXT PRIMARY KEY,
    academie_id TEXT NOT NULL REFERENCES academie(id),
    code        TEXT NOT NULL UNIQUE CHECK (length(code) = 3),  -- as in the UAI: 035, 620 (2A), 972
    nom         TEXT NOT NULL
) STRICT;

CREATE TABLE circonscription (
    id             TEXT PRIMARY KEY,
    departement_id TEXT NOT NULL REFERENCES departement(id),
    nom            TEXT NOT NULL
) STRICT;
CREATE INDEX circonscription_departement ON circonscription(departement_id);

CREATE TABLE commune (
    id             TEXT PRIMARY KEY,
    departement_id TEXT NOT NULL REFERENCES departement(id),
    insee          TEXT NOT NULL UNIQUE CHECK (length(insee) = 5),
    nom            TEXT NOT NULL,
    code_postal    TEXT NOT NULL CHECK (length(code_postal) = 5)
) STRICT;
CREATE INDEX commune_departement ON commune(departement_id);

CREATE TABLE ecole (
    id                 TEXT PRIMARY KEY,
    uai                TEXT NOT NULL UNIQUE CHECK (length(uai) = 8),
    nom                TEXT NOT NULL,
    type               TEXT NOT NULL CHECK (type IN ('maternelle', 'elementaire', 'primaire')),
    secteur            TEXT NOT NULL CHECK (secteur IN ('public', 'prive')),
    commune_id         TEXT NOT NULL REFERENCES commune(id),
    circonscription_id TEXT NOT NULL REFERENCES circonscription(id),
    adresse            TEXT NOT NULL,           -- street, on one line
    telephone          TEXT,
    courriel           TEXT,
    direction_nom      TEXT,                    -- the director's name, for the signature block
    direction_feminin  INTEGER NOT NULL DEFAULT 0 CHECK (direction_feminin IN (0, 1))
) STRICT;
CREATE INDEX ecole_circonscription ON ecole(circonscription_id);
CREATE INDEX ecole_commune ON ecole(commune_id);

-- A regroupement pédagogique intercommunal spreads one school over several communes: each of
-- their mairies then sees the school's pupils.
CREATE TABLE ecole_commune_rpi (
    ecole_id   TEXT NOT NULL REFERENCES ecole(id),
    commune_id TEXT NOT NULL REFERENCES commune(id),
    PRIMARY KEY (ecole_id, commune_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ecole_commune_rpi_commune ON ecole_commune_rpi(commune_id);

-- Années scolaires: the open one is current; the rentrée closes it and opens the next.
CREATE TABLE annee_scolaire (
    debut INTEGER PRIMARY KEY CHECK (debut BETWEEN 2000 AND 2099),  -- 2026 = 2026-2027
    etat  TEXT NOT NULL CHECK (etat IN ('ouverte', 'close'))
) STRICT;
CREATE UNIQUE INDEX annee_scolaire_une_ouverte ON annee_scolaire(etat) WHERE etat = 'ouverte';

CREATE TABLE classe (
    id         TEXT PRIMARY KEY,
    ecole_id   TEXT NOT NULL REFERENCES ecole(id),
    annee      INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    libelle    TEXT NOT NULL,
    enseignant TEXT,                            -- the teacher's name, printed on class lists
    UNIQUE (ecole_id, annee, libelle)
) STRICT;

CREATE TABLE classe_niveau (
    classe_id TEXT NOT NULL REFERENCES classe(id) ON DELETE CASCADE,
    niveau    TEXT NOT NULL CHECK (niveau IN ('TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2')),
    PRIMARY KEY (classe_id, niveau)
) STRICT, WITHOUT ROWID;

-- Category I: the pupil ----------------------------------------------------------------------

CREATE TABLE eleve (
    id                 TEXT PRIMARY KEY,
    ine                TEXT UNIQUE CHECK (ine IS NULL OR length(ine) = 11),
    nom                TEXT NOT NULL,           -- nom de famille, upper-cased
    nom_usage          TEXT,
    prenoms            TEXT NOT NULL,
    sexe               TEXT NOT NULL CHECK (sexe IN ('M', 'F')),
    date_naissance     TEXT NOT NULL CHECK (date_naissance GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    naissance_insee    TEXT NOT NULL CHECK (length(naissance_insee) = 5),  -- commune, or 99xxx abroad
    naissance_lieu     TEXT NOT NULL,           -- the commune or country as printed
    adresse            TEXT,                    -- street and complement, on one line
    code_postal        TEXT,
    commune_residence  TEXT,
    cle_recherche      TEXT NOT NULL            -- noms and prénoms folded (case, accents, hyphens)
) STRICT;
CREATE INDEX eleve_cle_recherche ON eleve(cle_recherche);
CREATE INDEX eleve_naissance ON eleve(date_naissance);

-- Category II: responsables légaux (one person may be responsable of several pupils) --------

CREATE TABLE responsable (
    id            TEXT PRIMARY KEY,
    civilite      TEXT CHECK (civilite IN ('M.', 'Mme')),
    nom           TEXT NOT NULL,
    prenom        TEXT NOT NULL,
    adresse       TEXT,
    code_postal   TEXT,
    commune       TEXT,
    pays          TEXT,                         -- only when abroad
    tel_domicile  TEXT,
    tel_travail   TEXT,
    tel_portable  TEXT,
    courriel      TEXT
) STRICT;

CREATE TABLE eleve_responsable (
    eleve_id            TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    responsable_id      TEXT NOT NULL REFERENCES responsable(id),
    rang                INTEGER NOT NULL CHECK (rang BETWEEN 1 AND 4),
    lien                TEXT NOT NULL CHECK (lien IN ('mere', 'pere', 'tuteur', 'tiers')),
    -- 0 only when withdrawn by a court: such a parent is not an elector
    autorite_parentale  INTEGER NOT NULL DEFAULT 1 CHECK (autorite_parentale IN (0, 1)),
    -- autorisation, cleared at the end of each school year: address given to parents' associations
    accord_associations INTEGER CHECK (accord_associations IN (0, 1)),
    PRIMARY KEY (eleve_id, responsable_id),
    UNIQUE (eleve_id, rang)
) STRICT, WITHOUT ROWID;
CREATE INDEX eleve_responsable_responsable ON eleve_responsable(responsable_id);

-- Category III: people to call in an emergency or allowed to collect the child --------------

CREATE TABLE contact (
    id        TEXT PRIMARY KEY,
    eleve_id  TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    rang      INTEGER NOT NULL CHECK (rang BETWEEN 1 AND 9),
    nom       TEXT NOT NULL,
    prenom    TEXT NOT NULL,
    lien      TEXT,                             -- short: « grand-mère », « voisine »
    telephone TEXT NOT NULL,
    telephone_2 TEXT,
    urgence   INTEGER NOT NULL CHECK (urgence IN (0, 1)),
    recuperer INTEGER NOT NULL CHECK (recuperer IN (0, 1)),
    UNIQUE (eleve_id, rang)
) STRICT;

-- Category IV: schooling, one record per pupil, school and year -----------------------------

CREATE TABLE scolarite (
    id              TEXT PRIMARY KEY,
    eleve_id        TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    annee           INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    ecole_id        TEXT NOT NULL REFERENCES ecole(id),
    niveau          TEXT NOT NULL CHECK (niveau IN ('TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2')),
    cycle           INTEGER NOT NULL CHECK (cycle IN (1, 2, 3)),  -- stored: the 2015 reform changed them
    classe_id       TEXT REFERENCES classe(id),
    ulis            INTEGER NOT NULL DEFAULT 0 CHECK (ulis IN (0, 1)),  -- the dispositif only, never the disability
    etat            TEXT NOT NULL CHECK (etat IN ('admis_provisoire', 'admis_definitif', 'radie', 'parti')),
    date_admission  TEXT NOT NULL,
    date_sortie     TEXT                        -- radiation or end of year when leaving
) STRICT;
CREATE INDEX scolarite_eleve ON scolarite(eleve_id, annee);
CREATE INDEX scolarite_ecole ON scolarite(ecole_id, annee, etat);
CREATE INDEX scolarite_classe ON scolarite(classe_id);

-- Autorisations, insurance (category II) and périscolaire (category V): the current school
-- year only; cleared at its end.

CREATE TABLE eleve_annuel (
    eleve_id           TEXT NOT NULL REFERENCES eleve(id) ON DELETE CASCADE,
    annee              INTEGER NOT NULL REFERENCES annee_scolaire(debut),
    autorisation_photo INTEGER CHECK (autorisation_photo IN (0, 1)),
    assureur           TEXT,
    assurance_numero   TEXT,
    cantine            INTEGER CHECK (cantine IN (0, 1)),
    garderie_matin     INTEGER CHECK (garderie_matin IN (0, 1)),
    garderie_soir      INTEGER CHECK (garderie_soir IN (0, 1)),
    etude              INTEGER CHECK (etude IN (0, 1)),
    transport          INTEGER CHECK (transport IN (0, 1)),
    PRIMARY KEY (eleve_id, annee)
) STRICT, WITHOUT ROWID;

-- INE assignment: a 5-digit sequence per département and calendar year of first admission.
-- Never decremented, so an INE is never issued twice, even after pupils are erased.
CREATE TABLE sequence_ine (
    departement TEXT NOT NULL CHECK (length(departement) = 3),
    annee       INTEGER NOT NULL,
    dernier     INTEGER NOT NULL CHECK (dernier BETWEEN 0 AND 99999),
    PRIMARY KEY (departement, annee)
) STRICT, WITHOUT ROWID;

-- Sign-in through an OpenID Connect provider (README « Se connecter avec l'académie ou
-- EduConnect »).
--
-- The providers of the installation, set by the operator (`registre admin oidc`): one row
-- each, its settings as JSON (issuer, client id, the *path* of the file holding the client
-- secret — never the secret —, scopes, the roles allowed, which `amr`/`acr` count as a second
-- factor, the optional claim mapping that creates staff accounts at first sign-in).
CREATE TABLE fournisseur_identite (
    nom     TEXT PRIMARY KEY,                 -- short name, in addresses: 'academie', 'educonnect'
    reglage TEXT NOT NULL CHECK (json_valid(reglage))
) STRICT;

-- An account tied to one identity at a provider: the issuer and the subject, nothing else
-- from the token. Never an e-mail address: linking is done once, by the holder of an
-- activation link (or by the provider's signed claims when the installation says so).
CREATE TABLE identite (
    emetteur    TEXT NOT NULL,
    sujet       TEXT NOT NULL,
    compte_id   TEXT NOT NULL UNIQUE REFERENCES compte(id) ON DELETE CASCADE,
    fournisseur TEXT NOT NULL,                -- the provider's short name when it was tied
    lie_le      TEXT NOT NULL,
    PRIMARY KEY (emetteur, sujet)
) STRICT;

-- A session opened through a provider names it: logging out then ends the provider's
-- session too (RP-initiated logout).
ALTER TABLE session ADD COLUMN fournisseur TEXT;

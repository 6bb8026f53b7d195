-- The upgrades of the database (README « Mise à jour »): each start of a newer program that
-- migrates the schema adds a row, in the same transaction as the migrations, naming the copy
-- taken just before. No personal data.
CREATE TABLE mise_a_jour (
    id          INTEGER PRIMARY KEY,
    le          TEXT NOT NULL,                -- RFC 3339, UTC
    de_schema   INTEGER NOT NULL CHECK (de_schema >= 0),
    vers_schema INTEGER NOT NULL CHECK (vers_schema > de_schema),
    programme   TEXT NOT NULL,                -- the program's version (Cargo's)
    sauvegarde  TEXT                          -- the copy taken before, beside the base
) STRICT;

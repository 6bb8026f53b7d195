-- Pupil search by the start of words, and French order without comparing texts
-- (docs/architecture.md « Recherche d'élèves »).
--
-- `eleve_recherche` indexes the folded noms and prénoms (`cle_recherche`: lower case, no accents,
-- hyphens and apostrophes as spaces) word by word, with prefix indexes for the first one, two
-- and three letters: « mar dup » is two prefix lookups, not a scan. It holds no text of its own
-- (the content is `eleve`'s column) and is kept in step by the triggers below on every insert,
-- correction and deletion, in plain SQL, so that any connection keeps it; `secure-delete` leaves no trace of a deleted pupil in the index, as
-- `PRAGMA secure_delete` does for the tables.
--
-- `cle_tri` is the French sort key of (nom, prénoms) (`tri::cle_noms`): lists sort by comparing
-- bytes, not by calling the collation for every pair of names, and a page of 20 out of 5,000
-- matches keeps only those 20. Written by the store in the same statement as the pupil's names
-- and `cle_recherche` (a name changed by hand in SQL keeps its old key); filled here, once, by
-- the function `cle_tri_noms` the store registers on its connections.
--
-- The index is keyed by `eleve`'s rowid: a `VACUUM` (which the program never runs) may renumber
-- it; `INSERT INTO eleve_recherche(eleve_recherche) VALUES ('rebuild')` then rebuilds it.
ALTER TABLE eleve ADD COLUMN cle_tri BLOB;
UPDATE eleve SET cle_tri = cle_tri_noms(nom, prenoms);

CREATE VIRTUAL TABLE eleve_recherche USING fts5(
    cle_recherche,
    content = 'eleve',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO eleve_recherche(eleve_recherche, rank) VALUES ('secure-delete', 1);
INSERT INTO eleve_recherche(eleve_recherche) VALUES ('rebuild');

CREATE TRIGGER eleve_apres_insertion AFTER INSERT ON eleve BEGIN
    INSERT INTO eleve_recherche(rowid, cle_recherche) VALUES (new.rowid, new.cle_recherche);
END;
CREATE TRIGGER eleve_apres_correction_cle AFTER UPDATE OF cle_recherche ON eleve BEGIN
    INSERT INTO eleve_recherche(eleve_recherche, rowid, cle_recherche) VALUES ('delete', old.rowid, old.cle_recherche);
    INSERT INTO eleve_recherche(rowid, cle_recherche) VALUES (new.rowid, new.cle_recherche);
END;
CREATE TRIGGER eleve_apres_suppression AFTER DELETE ON eleve BEGIN
    INSERT INTO eleve_recherche(eleve_recherche, rowid, cle_recherche) VALUES ('delete', old.rowid, old.cle_recherche);
END;

-- A search within a few schools (a director, a mairie, an IEN's circonscription) reads each
-- school's records of the year from one index that also holds the pupil's folded names and
-- sort key: no pupil row is read but the page's. The keys are copies of the pupil's, kept in
-- step by these triggers (plain SQL), erased with the record.
ALTER TABLE scolarite ADD COLUMN cle_recherche TEXT;
ALTER TABLE scolarite ADD COLUMN cle_tri BLOB;
UPDATE scolarite SET (cle_recherche, cle_tri) = (SELECT el.cle_recherche, el.cle_tri FROM eleve el WHERE el.id = scolarite.eleve_id);
DROP INDEX scolarite_ecole;
CREATE INDEX scolarite_recherche ON scolarite(ecole_id, annee, etat, cle_recherche, cle_tri, eleve_id);

CREATE TRIGGER scolarite_apres_insertion AFTER INSERT ON scolarite BEGIN
    UPDATE scolarite SET (cle_recherche, cle_tri) = (SELECT el.cle_recherche, el.cle_tri FROM eleve el WHERE el.id = new.eleve_id)
    WHERE rowid = new.rowid;
END;
CREATE TRIGGER eleve_apres_correction_noms AFTER UPDATE OF cle_recherche, cle_tri ON eleve BEGIN
    UPDATE scolarite SET cle_recherche = new.cle_recherche, cle_tri = new.cle_tri WHERE eleve_id = new.id;
END;

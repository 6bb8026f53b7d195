-- Issue 13: who radiated a pupil, and when, is read from the journal (a radiation entered by
-- mistake is cancelled by its author, the same day): an index on the schooling records' rows.
CREATE INDEX journal_scolarite ON journal(cible) WHERE ressource = 'scolarite';

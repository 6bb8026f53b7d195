-- 0004: an inscription grants reads of the pupil's record only when it brought that record
-- (issue 7). An inscription of a pupil already known (chosen from the duplicate search) shows
-- the mairie and the designated school what the duplicate search showed, nothing more, until
-- the pupil is admitted (which waits for the radiation at the former school).
ALTER TABLE inscription ADD COLUMN cree_eleve INTEGER NOT NULL DEFAULT 0 CHECK (cree_eleve IN (0, 1));

-- Existing rows: the pupil's first inscription, when no schooling record is older than it,
-- is the one that brought the pupil.
UPDATE inscription SET cree_eleve = 1
WHERE id = (SELECT i2.id FROM inscription i2 WHERE i2.eleve_id = inscription.eleve_id ORDER BY i2.cree_le, i2.rowid LIMIT 1)
  AND NOT EXISTS (SELECT 1 FROM scolarite s WHERE s.eleve_id = inscription.eleve_id AND s.date_admission < inscription.cree_le);

-- This year's authorisation for an élémentaire pupil to leave school alone after class
-- (category II, an autorisation; erased with the rest of the yearly record at the end of the
-- year): 1 yes, 0 no, NULL not known.
ALTER TABLE eleve_annuel ADD COLUMN sortie_seul INTEGER CHECK (sortie_seul IN (0, 1));

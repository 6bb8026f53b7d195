-- A certificate opened again by the account that issued it, on the day it was issued, with
-- nothing changed, is the same original, to the byte (README « Certificats, originaux et
-- duplicatas »): who issued it (an account id, never a name) and when, to the second (the
-- original's PDF date), are kept with its seal. A reprint by anyone else, or on a later day,
-- is a duplicata. Certificates issued before this have neither: their reprints are duplicatas.
ALTER TABLE certificat ADD COLUMN emis_par TEXT;
ALTER TABLE certificat ADD COLUMN emis_a INTEGER;

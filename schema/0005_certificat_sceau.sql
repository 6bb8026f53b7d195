-- 0005: a certificate keeps what it was made from (issue 9): the version of its template and a
-- hash of its data (never the data itself). A reprint whose data and template are unchanged is
-- a duplicata of it, identical but for the mark « Duplicata » and its date; otherwise a new
-- certificate replaces it (the old one stays verifiable, its subject marked as replaced).
ALTER TABLE certificat ADD COLUMN gabarit TEXT;
ALTER TABLE certificat ADD COLUMN empreinte TEXT;

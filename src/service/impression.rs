//! Printing as a use case: the policy (a print, or an export that needs a recent login), the
//! documents made by `service::documents`, and the journal — one row per pupil, written before
//! the file is handed over. The server and the CLI take this one road; the public verification
//! of a certificate's code is here too.

use std::io::{Seek, Write};

use super::documents::{Cible, Format, Imprimeur, MAX_FUSION};
use crate::domain::{Colonne, Document};
use crate::policy::Portee;
use crate::render::{self, Engine};
use crate::store::{Store, parcours as sc};

/// A printed file, ready to hand over.
#[derive(Debug, Clone)]
pub struct Imprime {
    /// The PDF or ZIP.
    pub octets: Vec<u8>,
    /// Its file name (`certificat-scolarite.pdf`, `fiche-renseignements.zip`).
    pub nom: String,
}

impl Imprime {
    /// Its media type.
    pub fn mime(&self) -> &'static str {
        if self.nom.ends_with(".zip") {
            "application/zip"
        } else if self.nom.ends_with(".csv") {
            "text/csv; charset=utf-8"
        } else {
            "application/pdf"
        }
    }
}

/// How a print goes: the most documents a ZIP may hold (the server's bound; the CLI has none)
/// and who hears of its progress.
#[derive(Clone, Copy)]
pub struct Tirage<'a> {
    /// Refuse a ZIP of more documents than this.
    pub limite: Option<usize>,
    /// Called with the number of documents, before the first one is made.
    pub total: &'a (dyn Fn(usize) + Sync),
    /// Called with the number of documents made so far; `false` stops the print (a cancelled
    /// job).
    pub progression: crate::render::batch::Progression<'a>,
    /// The columns of a liste des élèves (none: the default ones).
    pub colonnes: &'a [Colonne],
    /// Only the pupils whose family has not answered the yearly check online (the fiche de
    /// renseignements).
    pub sans_reponse: bool,
}

impl std::fmt::Debug for Tirage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tirage").field("limite", &self.limite).finish_non_exhaustive()
    }
}

impl super::Service<'_> {
    /// Prints `doc` for `cible` in memory, for the server: a ZIP holds at most
    /// [`MAX_FUSION`] documents.
    pub fn imprimer(
        &self,
        engine: &Engine,
        doc: Document,
        cible: &Cible,
        format: Format,
        colonnes: &[Colonne],
    ) -> super::Result<Imprime> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let t =
            Tirage { limite: Some(MAX_FUSION), total: &|_| {}, progression: &|_| true, colonnes, sans_reponse: false };
        let ext = match format {
            Format::Zip => "zip",
            Format::Pdf => "pdf",
            Format::Csv => "csv",
        };
        let (_, nom) = self.imprimer_nomme(engine, doc, cible, format, &mut buf, t, ext)?;
        Ok(Imprime { octets: buf.into_inner(), nom })
    }

    /// Prints `doc` for `cible` into `sortie`; returns how many documents were made. One
    /// document for one record is a print, anything in bulk an export (a login within 10
    /// minutes). What is printed is journaled, one row per pupil, before it is handed over
    /// (fail closed): the server and the CLI take this one road.
    pub fn imprimer_dans<W: Write + Seek>(
        &self,
        engine: &Engine,
        doc: Document,
        cible: &Cible,
        format: Format,
        sortie: W,
        tirage: Tirage<'_>,
    ) -> super::Result<usize> {
        Ok(self.imprimer_nomme(engine, doc, cible, format, sortie, tirage, "")?.0)
    }

    /// [`Self::imprimer_dans`], and the name the file gets (extension `ext`).
    #[allow(clippy::too_many_arguments)]
    fn imprimer_nomme<W: Write + Seek>(
        &self,
        engine: &Engine,
        doc: Document,
        cible: &Cible,
        format: Format,
        mut sortie: W,
        tirage: Tirage<'_>,
        ext: &str,
    ) -> super::Result<(usize, String)> {
        let portee = match cible {
            Cible::Eleve(_) | Cible::Inscription(_) => Portee::Eleve,
            Cible::Classe(_) => Portee::Classe,
            Cible::Ecole(_) => Portee::Ecole,
            Cible::Circonscription(_) => Portee::Circonscription,
        };
        let action = crate::policy::action_de_tirage(doc, portee, format == Format::Pdf);
        let champs = self.autoriser(crate::policy::Ressource::Document(doc), action)?;
        if champs.is_empty() {
            return Err(crate::auth::Interdit::Role.into());
        }
        // A column prints only if the role sees its category of fields.
        if let Some(c) = tirage.colonnes.iter().find(|c| !champs.contient(crate::policy::champs_colonne(**c))) {
            return Err(super::Error::Conflit(format!(
                "colonne « {} » : votre rôle ne voit pas cette donnée",
                c.code()
            )));
        }
        if tirage.sans_reponse && doc != Document::FicheRenseignements {
            return Err(super::Error::Conflit(
                "« seulement les familles qui n'ont pas répondu en ligne » ne vaut que pour la fiche de renseignements"
                    .into(),
            ));
        }
        if !tirage.colonnes.is_empty() && doc != Document::ListeEleves {
            return Err(super::Error::Conflit("le choix des colonnes ne vaut que pour la liste des élèves".into()));
        }
        let imp = Imprimeur {
            store: self.store,
            engine,
            cles: self.cles,
            perimetre: &self.acteur.perimetre,
            le: self.le.to_offset(crate::clock::paris_offset(self.le)),
            annee: None,
            colonnes: tirage.colonnes,
            essai: false,
            sans_reponse: tirage.sans_reponse,
            journal: Some(super::documents::Journal { auteur: &self.acteur.auteur, action }),
        };
        // Worked out once: the count, the render and the journal use the same plan.
        let plan = imp.plan(doc, cible)?;
        let n = plan.len();
        if format == Format::Csv && !doc.en_tableur() {
            return Err(super::Error::Conflit(
                "seules la liste électorale et la liste des élèves existent en tableur (format csv)".into(),
            ));
        }
        if let Some(max) = tirage.limite.filter(|m| n > *m) {
            return Err(super::Error::Conflit(format!(
                "{n} documents : au-delà de {max}, lancez une impression en lot (elle se prépare en arrière-plan)"
            )));
        }
        (tirage.total)(n);
        match format {
            Format::Pdf => {
                imp.pdf(&plan, &mut sortie, tirage.progression)?;
            }
            Format::Zip => {
                imp.zip(&plan, &mut sortie, tirage.progression)?;
            }
            Format::Csv => {
                let csv = imp.csv(&plan)?;
                sortie.write_all(&csv).map_err(render::Error::from)?;
            }
        }
        // One write: each certificate's row went with its seal; the other documents' rows
        // here, before the file is handed over.
        let faits = plan.faits(action);
        if !faits.is_empty() {
            self.noter(&faits)?;
        }
        Ok((n, plan.nom_telechargement(ext)))
    }
}

/// The certificate carrying a verification code (public: no account, no journal row — the
/// answer names only the type, date, issuer and the pupil's initials).
pub fn certificat(store: &Store, code: &str) -> super::Result<Option<sc::Certificat>> {
    Ok(store.read(|c| sc::certificat_par_code(c, code))?)
}

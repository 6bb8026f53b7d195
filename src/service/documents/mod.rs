//! Documents end to end: find the records in the actor's perimeter, shape the data each
//! template expects, and print one PDF, a merged PDF or a ZIP of PDFs.
//!
//! Shared by the CLI (`registre render`) and the HTTP server, so both print the same bytes.

use std::io::{Seek, Write};

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::config::Cles;
use crate::domain::identite::{date_fr, date_longue};
use crate::domain::parcours::{EtatInscription, MotifRadiation};
use crate::domain::{AnneeScolaire, CirconscriptionId, ClasseId, EcoleId, EleveId, Niveau, Perimetre, Sexe, Uai};
use crate::render::batch::Progression;
use crate::render::{self, BatchItem, Document, Engine, Stamp};
use crate::store::eleves::{self, FicheEleve, Filtre};
use crate::store::parcours as sc;
use crate::store::territoires::{self, EnTete};
use crate::store::{self, Store, classes};

pub use super::{Error, Result};

mod accuse;
mod certificats;
mod listes;
mod noms;
mod pieces;
mod vues;
use certificats::*;
pub use listes::cellule;
pub use noms::*;
pub use vues::*;

/// What to print the document for.
#[derive(Debug, Clone)]
pub enum Cible {
    /// One pupil.
    Eleve(EleveId),
    /// A class: every pupil of it, or its list.
    Classe(ClasseId),
    /// A school: every pupil, or every class list, or its register, its lists.
    Ecole(EcoleId),
    /// An inscription at the mairie (its certificate).
    Inscription(String),
    /// Every school of a circonscription (IEN, IA-DASEN): each school's documents.
    Circonscription(CirconscriptionId),
}

/// The output of a print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One PDF (several documents are merged, a page sequence each).
    Pdf,
    /// A ZIP with one PDF per document.
    Zip,
    /// A spreadsheet (CSV, `;`-separated, UTF-8): the lists only.
    Csv,
}

// The data the templates read, typed: a misspelt or missing field fails at compile time here,
// not as an empty box on a printed page. Field names are the templates' (`templates/documents`).

/// The printing service: a store, an engine, and the perimeter of whoever prints.
#[derive(Debug, Clone, Copy)]
pub struct Imprimeur<'a> {
    /// The store.
    pub store: &'a Store,
    /// The print engine.
    pub engine: &'a Engine,
    /// The keys (certificate verification codes).
    pub cles: &'a Cles,
    /// The actor's perimeter: records outside it are not found.
    pub perimetre: &'a Perimetre,
    /// When the document is made.
    pub le: OffsetDateTime,
    /// The année scolaire (the current one when `None`).
    pub annee: Option<AnneeScolaire>,
    /// The columns of a liste des élèves (already checked against the role).
    pub colonnes: &'a [crate::domain::Colonne],
    /// A trial (`registre check`): certificates get a placeholder number, nothing is issued.
    pub essai: bool,
    /// Who prints, and as what action: each certificate's journal row is written in the
    /// transaction that issues and seals it (none: the bench and the yearly archive, which
    /// hand nothing over).
    pub journal: Option<Journal<'a>>,
    /// Only the pupils whose family has not answered the yearly check online.
    pub sans_reponse: bool,
}

/// The journal of a print: its author and the policy's action (print or export).
#[derive(Debug, Clone, Copy)]
pub struct Journal<'a> {
    /// Who prints.
    pub auteur: &'a crate::audit::Auteur,
    /// A print or an export.
    pub action: crate::policy::Action,
}

/// A print worked out once, in one read transaction (the base at one instant), then used by
/// its count, its render and its journal: they cannot disagree.
#[derive(Debug, Clone)]
pub struct Plan {
    doc: Document,
    annee: AnneeScolaire,
    sujets: Vec<Sujet>,
    /// The records the journal names, one per document: the pupil of a document about one,
    /// the class or school of a list.
    journal: Vec<String>,
    /// The pupils the lists name (each journaled: a family's consultation log shows their
    /// child was on a printed list).
    listes: Vec<EleveId>,
    /// What the print is about, as its file name starts (`DUPONT_Lea`, `CE1-B`).
    titre: String,
}

impl Plan {
    pub(super) fn doc(&self) -> Document {
        self.doc
    }

    pub(super) fn annee(&self) -> AnneeScolaire {
        self.annee
    }

    pub(super) fn sujets(&self) -> &[Sujet] {
        &self.sujets
    }

    /// How many documents the print makes.
    pub fn len(&self) -> usize {
        self.sujets.len()
    }

    /// Whether it makes none (never: a plan with nothing to print is refused).
    pub fn is_empty(&self) -> bool {
        self.sujets.is_empty()
    }

    /// The journal's rows of the print as `action`: one per document (the pupil, or the list's
    /// class or school), and one per pupil a list names. A certificate's row is written when it
    /// is issued (with its seal): not here.
    pub fn faits(&self, action: crate::policy::Action) -> Vec<crate::audit::Fait> {
        use crate::audit::Fait;
        if est_certificat(self.doc) {
            return Vec::new();
        }
        let doc = self.doc;
        let mut faits: Vec<Fait> = self
            .journal
            .iter()
            .map(|id| {
                let f = Fait::new(action, "document").cible(id.clone()).detail(json!({ "document": doc.name() }));
                if Imprimeur::par_eleve(doc) { f.eleve(id.clone()) } else { f }
            })
            .collect();
        faits.extend(self.listes.iter().map(|e| {
            Fait::new(action, "document")
                .cible(e.to_string())
                .eleve(e.to_string())
                .detail(json!({ "document": doc.name(), "liste": true }))
        }));
        faits
    }
}

/// Whether `doc` is a certificate (issued, sealed and journaled one by one).
pub fn est_certificat(doc: Document) -> bool {
    matches!(doc, Document::CertificatScolarite | Document::CertificatInscription | Document::CertificatRadiation)
}

/// Most documents merged into one PDF; beyond, a ZIP is required (memory stays bounded).
pub const MAX_FUSION: usize = 2000;

#[derive(Debug, Clone)]
pub(super) enum Sujet {
    Eleve(EleveId),
    Classe(ClasseId),
    Inscription(String),
    Ecole(EcoleId),
}

pub(super) struct Piece {
    pub(super) nom_fichier: String,
    pub(super) ident: String,
    pub(super) data: Value,
    /// The instant the PDF is dated: now, or a certificate's original issue.
    pub(super) le: OffsetDateTime,
}

/// A person to contact's phones, the first one first.
pub(super) fn telephones_contact(c: &eleves::Contact) -> Vec<String> {
    [Some(&c.telephone), c.telephone_2.as_ref()].into_iter().flatten().cloned().collect()
}

fn responsables_lignes(f: &FicheEleve) -> Vec<String> {
    f.responsables
        .iter()
        .map(|r| {
            let nom = r.personne.designation();
            let adresse = lignes_adresse(
                &r.personne.adresse,
                &r.personne.code_postal,
                &r.personne.commune,
                r.personne.pays.as_ref(),
            )
            .join(", ");
            if adresse.is_empty() {
                format!("{nom} ({})", r.personne.lien.libelle())
            } else {
                format!("{nom} ({}), {adresse}", r.personne.lien.libelle())
            }
        })
        .collect()
}

impl Imprimeur<'_> {
    pub(super) fn annee(&self) -> Result<AnneeScolaire> {
        match self.annee {
            Some(a) => Ok(a),
            None => Ok(self.store.read(territoires::annee_courante)?),
        }
    }

    fn adresse_publique(&self) -> Result<Option<String>> {
        Ok(self.store.read(|c| crate::store::comptes::parametre(c, crate::store::comptes::URL_PUBLIQUE))?)
    }

    /// The schools of a school or circonscription target, in the perimeter, in French order.
    fn ecoles_de(&self, cible: &Cible) -> Result<Option<Vec<EcoleId>>> {
        let p = self.perimetre;
        match cible {
            Cible::Ecole(id) => {
                self.store.read(|c| territoires::ecole(c, p, id))?;
                Ok(Some(vec![id.clone()]))
            }
            Cible::Circonscription(id) => Ok(Some(self.store.read(|c| {
                // A circonscription inside the perimeter, or not found (404).
                let circo = Perimetre::Circonscription(id.clone());
                if !territoires::perimetre_inclus(c, &circo, p)? {
                    return Err(store::Error::Introuvable("circonscription"));
                }
                let mut ecoles = territoires::ecoles(c, &circo)?;
                ecoles.sort_by(|a, b| crate::domain::tri::comparer(&a.nom, &b.nom));
                Ok(ecoles.into_iter().map(|e| e.id).collect())
            })?)),
            _ => Ok(None),
        }
    }

    /// The pupils a pupil document is printed for: one, a class, or each school of the target
    /// class by class (the order fiches are handed out), in French order.
    fn eleves_de(&self, cible: &Cible, annee: AnneeScolaire) -> Result<Vec<Sujet>> {
        let l = self.eleves_de_la_cible(cible, annee)?;
        if !self.sans_reponse {
            return Ok(l);
        }
        let ids: Vec<EleveId> =
            l.iter().filter_map(|s| if let Sujet::Eleve(e) = s { Some(e.clone()) } else { None }).collect();
        let repondu = self.store.read(|c| crate::store::verifications::ont_repondu(c, annee, &ids))?;
        Ok(l.into_iter().filter(|s| !matches!(s, Sujet::Eleve(e) if repondu.contains(e))).collect())
    }

    fn eleves_de_la_cible(&self, cible: &Cible, annee: AnneeScolaire) -> Result<Vec<Sujet>> {
        let p = self.perimetre;
        if let Some(ecoles) = self.ecoles_de(cible)? {
            return Ok(self.store.read(|c| {
                let mut out = Vec::new();
                for e in ecoles {
                    let f = Filtre { ecole: Some(e), presents: true, ..Filtre::annee(annee) };
                    // Class by class, in the school's order (unplaced pupils last); sorted by name
                    // already, a stable sort keeps that order within each class.
                    let rang: std::collections::HashMap<ClasseId, usize> =
                        classes::classes(c, p, f.ecole.as_ref().ok_or(store::Error::Introuvable("école"))?, annee)?
                            .into_iter()
                            .enumerate()
                            .map(|(i, k)| (k.id, i))
                            .collect();
                    let mut l = eleves::lister(c, p, &f)?;
                    l.sort_by_key(|e| e.classe_id.as_ref().and_then(|k| rang.get(k)).copied().unwrap_or(usize::MAX));
                    out.extend(l.into_iter().map(|l| Sujet::Eleve(l.id)));
                }
                Ok(out)
            })?);
        }
        match cible {
            Cible::Eleve(id) => Ok(vec![Sujet::Eleve(id.clone())]),
            Cible::Classe(id) => Ok(self.store.read(|c| {
                classes::classe(c, p, id)?;
                let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(annee) };
                Ok(eleves::lister(c, p, &f)?.into_iter().map(|l| Sujet::Eleve(l.id)).collect())
            })?),
            _ => Err(Error::Conflit(
                "ce document s'imprime pour un élève, une classe, une école ou une circonscription".into(),
            )),
        }
    }

    /// What `doc` is printed for, given `cible`, in a stable order.
    pub(super) fn sujets(&self, doc: Document, cible: &Cible, annee: AnneeScolaire) -> Result<Vec<Sujet>> {
        let p = self.perimetre;
        let un_eleve = |quoi: &str| -> Result<Vec<Sujet>> {
            match cible {
                Cible::Eleve(id) => Ok(vec![Sujet::Eleve(id.clone())]),
                _ => Err(Error::Conflit(format!("{quoi} s'imprime pour un élève"))),
            }
        };
        match doc {
            Document::CertificatScolarite
            | Document::FicheRenseignements
            | Document::NotificationPassage
            | Document::FicheUrgence
            | Document::ReleveDonnees
            | Document::AccuseVerification => self.eleves_de(cible, annee),
            Document::ListeEleves => match (cible, self.ecoles_de(cible)?) {
                (Cible::Classe(id), _) => {
                    self.store.read(|c| classes::classe(c, p, id))?;
                    Ok(vec![Sujet::Classe(id.clone())])
                }
                (_, Some(ecoles)) => Ok(ecoles.into_iter().map(Sujet::Ecole).collect()),
                _ => Err(Error::Conflit("la liste des élèves s'imprime pour une classe ou une école".into())),
            },
            Document::ListeElectorale | Document::RegistreEleves => match self.ecoles_de(cible)? {
                Some(ecoles) => Ok(ecoles.into_iter().map(Sujet::Ecole).collect()),
                None => Err(Error::Conflit(format!("la {} s'imprime pour une école", doc.titre().to_lowercase()))),
            },
            Document::ListeClasse | Document::ListeAppel => match (cible, self.ecoles_de(cible)?) {
                (Cible::Classe(id), _) => Ok(vec![Sujet::Classe(id.clone())]),
                (_, Some(ecoles)) => Ok(self.store.read(|c| {
                    let mut out = Vec::new();
                    for e in &ecoles {
                        out.extend(classes::classes(c, p, e, annee)?.into_iter().map(|k| Sujet::Classe(k.id)));
                    }
                    Ok(out)
                })?),
                _ => Err(Error::Conflit(format!(
                    "la {} s'imprime pour une classe ou une école",
                    doc.titre().to_lowercase()
                ))),
            },
            Document::CertificatInscription => match cible {
                Cible::Inscription(id) => {
                    let i = self.store.read(|c| sc::inscription(c, p, id))?;
                    if !matches!(i.etat, EtatInscription::Inscrit | EtatInscription::Admis) {
                        return Err(Error::Conflit(
                            "le certificat d'inscription s'imprime une fois l'inscription confirmée".into(),
                        ));
                    }
                    Ok(vec![Sujet::Inscription(i.id)])
                }
                Cible::Eleve(id) => {
                    let i = self.store.read(|c| sc::derniere_inscription(c, p, id))?;
                    let i = i.ok_or_else(|| Error::Conflit("aucune inscription confirmée pour cet élève".into()))?;
                    Ok(vec![Sujet::Inscription(i.id)])
                }
                _ => Err(Error::Conflit("le certificat d'inscription s'imprime pour une inscription".into())),
            },
            Document::CertificatRadiation => un_eleve("le certificat de radiation"),
            // A report of the actor's territory, not a document of a record.
            Document::ConstatEffectifs => Err(Error::Conflit(
                "le constat des effectifs s'imprime depuis la page Effectifs (GET /api/v1/constat?format=pdf)".into(),
            )),
        }
        .and_then(|v: Vec<Sujet>| {
            if v.is_empty() { Err(Error::Conflit("aucun document à imprimer pour cette cible".into())) } else { Ok(v) }
        })
    }

    /// Loads the data of one document.
    fn piece(&self, doc: Document, sujet: &Sujet, annee: AnneeScolaire) -> Result<Piece> {
        let p = self.perimetre;
        match (doc, sujet) {
            (Document::ListeClasse, Sujet::Classe(id)) => self.liste_classe(id),
            (Document::ListeAppel, Sujet::Classe(id)) => self.liste_appel(id),
            (Document::ListeEleves, Sujet::Classe(_) | Sujet::Ecole(_)) => self.liste_eleves(sujet, annee),
            (Document::ListeElectorale, Sujet::Ecole(id)) => self.liste_electorale(id, annee),
            (Document::RegistreEleves, Sujet::Ecole(id)) => self.registre(id, annee),
            (Document::CertificatInscription, Sujet::Inscription(id)) => self.certificat_inscription(id),
            (Document::CertificatRadiation, Sujet::Eleve(id)) => self.certificat_radiation(id),
            (_, Sujet::Eleve(id)) => {
                // One read: the record, the school's heading, and the installation's public
                // address (a certificate's verification link).
                let (fiche, tete, adresse) = self.store.read(|c| {
                    let fiche = eleves::fiche(c, p, id, annee)?;
                    let ecole = fiche
                        .scolarite(annee)
                        .map(|s| s.ecole_id.clone())
                        .ok_or(store::Error::Introuvable("scolarité de l'année"))?;
                    let adresse = crate::store::comptes::parametre(c, crate::store::comptes::URL_PUBLIQUE)?;
                    Ok((fiche, territoires::en_tete(c, &ecole)?, adresse))
                })?;
                let (data, le) = match doc {
                    Document::CertificatScolarite => {
                        let base = donnees_certificat_scolarite(&fiche, &tete, annee, self.le)?;
                        let s = fiche.scolarite(annee).ok_or(store::Error::Introuvable("scolarité de l'année"))?;
                        let initiales = crate::domain::identite::initiales(&fiche.eleve.prenoms, &fiche.eleve.nom);
                        let emission = Emission {
                            genre: "scolarite",
                            sujet: &format!("scolarite:{id}:{}:{}", s.ecole_id, annee.debut()),
                            eleve: id,
                            prefixe: &format!("CS-{}", tete.uai),
                            emetteur: &tete.nom,
                            initiales: &initiales,
                        };
                        self.delivrer(doc, &emission, |k| {
                            let (adresse_verification, qr) = verification(&adresse, &k.code);
                            let mut data = base.clone();
                            data.fait_le = date_longue(k.emis_le);
                            data.certification = Some(Certification {
                                numero: k.numero.clone(),
                                code: k.code.clone(),
                                emetteur: k.emetteur.clone(),
                                adresse_verification,
                                qr,
                            });
                            valeur(&data)
                        })?
                    }
                    Document::NotificationPassage => (self.notification(&fiche, &tete, annee)?, self.le),
                    Document::FicheUrgence => (valeur(&listes::fiche_urgence(&fiche, &tete, annee, self.le))?, self.le),
                    Document::ReleveDonnees => (self.releve_donnees(&fiche, &tete, annee)?, self.le),
                    Document::AccuseVerification => (self.accuse_verification(&fiche, &tete, annee)?, self.le),
                    _ => (donnees_fiche_renseignements(&fiche, &tete, annee, self.le)?, self.le),
                };
                Ok(Piece {
                    nom_fichier: nom_humain(
                        &tete.uai,
                        &tete.nom,
                        fiche.scolarite(annee).and_then(|s| s.classe.as_deref()),
                        &fiche.eleve.nom,
                        &fiche.eleve.prenoms,
                        doc,
                    ),
                    ident: format!("{id}/{annee}"),
                    data,
                    le,
                })
            }
            _ => Err(Error::Conflit("document et cible incompatibles".into())),
        }
    }

    /// Works out the print of `doc` for `cible`, in one read transaction: the year, what each
    /// document is printed for in French order, and what the journal will name.
    pub fn plan(&self, doc: Document, cible: &Cible) -> Result<Plan> {
        self.store.lire(|_| {
            let annee = self.annee()?;
            let sujets = self.sujets(doc, cible, annee)?;
            let journal = self.sujets_ids(&sujets)?;
            let listes = if Self::par_eleve(doc) { Vec::new() } else { self.eleves_des_listes(doc, &sujets, annee)? };
            let titre = self.titre(cible, &sujets)?;
            Ok(Plan { doc, annee, sujets, journal, listes, titre })
        })
    }

    /// The records of `sujets` as the journal names them: pupils for the documents about a
    /// pupil, classes or schools otherwise.
    fn sujets_ids(&self, sujets: &[Sujet]) -> Result<Vec<String>> {
        sujets
            .iter()
            .map(|s| match s {
                Sujet::Eleve(id) => Ok(id.to_string()),
                Sujet::Classe(id) => Ok(id.to_string()),
                Sujet::Ecole(id) => Ok(id.to_string()),
                Sujet::Inscription(id) => Ok(self.store.read(|c| sc::inscription(c, self.perimetre, id))?.eleve_id),
            })
            .collect()
    }

    /// The pupils the lists of `sujets` (`doc`, not about one pupil) name.
    fn eleves_des_listes(&self, doc: Document, sujets: &[Sujet], annee: AnneeScolaire) -> Result<Vec<EleveId>> {
        let p = self.perimetre;
        let mut out = Vec::new();
        for s in sujets {
            let ids = self.store.read(|c| {
                let f = match s {
                    Sujet::Classe(id) => {
                        let k = classes::classe(c, p, id)?;
                        Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(k.annee) }
                    }
                    // The register lists the year's pupils, gone ones included.
                    Sujet::Ecole(id) => Filtre {
                        ecole: Some(id.clone()),
                        presents: doc != Document::RegistreEleves,
                        ..Filtre::annee(annee)
                    },
                    _ => return Ok(Vec::new()),
                };
                Ok(eleves::lister(c, p, &f)?.into_iter().map(|l| l.id).collect::<Vec<_>>())
            })?;
            out.extend(ids);
        }
        Ok(out)
    }

    /// Whether `doc` is about one pupil (then each printed pupil is journaled as such).
    pub fn par_eleve(doc: Document) -> bool {
        !matches!(
            doc,
            Document::ListeClasse
                | Document::RegistreEleves
                | Document::ListeAppel
                | Document::ListeEleves
                | Document::ListeElectorale
        )
    }

    /// Prints `doc` for `cible` as one PDF into `out`: a single document as it is (tagged, and
    /// PDF/A for certificates); several rendered one by one and appended, each on an odd page,
    /// memory bounded by one chunk ([`render::fusion`]). Returns how many documents were made.
    pub fn pdf<W: Write>(&self, plan: &Plan, mut out: W, progress: Progression<'_>) -> Result<usize> {
        let (doc, annee, sujets) = (plan.doc, plan.annee, &plan.sujets);
        if let [sujet] = sujets.as_slice() {
            let p = self.piece_lue(doc, sujet, annee)?;
            let pdf =
                self.engine.render(doc, &json!({ "documents": [p.data] }), &Stamp { at: p.le, ident: p.ident })?;
            out.write_all(&pdf).map_err(render::Error::from)?;
            progress(1);
            return Ok(1);
        }
        let ident = format!("{}/{}/{sujets:?}", doc.name(), self.le.date());
        let items = sujets.iter().map(|s| self.item(doc, s, annee));
        render::render_pdf(self.engine, doc, items, out, (doc.titre(), &ident), progress)
    }

    /// What a print run of `doc` for `cible` hands to the engine, in print order: each
    /// document's file name and data (`registre bench --comparaison` gives the same data to
    /// other engines).
    pub fn items_cible(&self, doc: Document, cible: &Cible) -> Result<Vec<BatchItem>> {
        let annee = self.annee()?;
        self.sujets(doc, cible, annee)?.iter().map(|s| self.item(doc, s, annee)).collect()
    }

    /// One document's data, read in one read transaction (the base at one instant). Not a
    /// certificate's: issuing it takes the writer, and no reader may wait for the writer while
    /// holding a snapshot (a write that reads would then wait for it); its reads are each the
    /// latest, then its one write issues, seals and journals it.
    fn piece_lue(&self, doc: Document, sujet: &Sujet, annee: AnneeScolaire) -> Result<Piece> {
        if est_certificat(doc) {
            self.piece(doc, sujet, annee)
        } else {
            self.store.lire(|_| self.piece(doc, sujet, annee))
        }
    }

    /// One document of a print.
    fn item(&self, doc: Document, sujet: &Sujet, annee: AnneeScolaire) -> Result<BatchItem> {
        self.piece_lue(doc, sujet, annee).map(|p| BatchItem {
            file_name: p.nom_fichier,
            stamp: Stamp { at: p.le, ident: p.ident },
            data: json!({ "documents": [p.data] }),
        })
    }

    /// Prints `doc` for `cible` as a ZIP with one PDF per document, written to `out`; the data
    /// of each document is loaded only when its turn comes, so memory stays bounded. Names are
    /// made for people (`0350255M-Ecole-Les-Tilleuls/CE2-B/CLEMENT_Titouan_fiche-renseignements.pdf`),
    /// ASCII, and unique within the archive.
    pub fn zip<W: Write + Seek>(&self, plan: &Plan, out: W, progress: Progression<'_>) -> Result<usize> {
        let (doc, annee, sujets) = (plan.doc, plan.annee, &plan.sujets);
        let mut pris = std::collections::HashSet::new();
        let items = sujets.iter().map(|s| {
            self.item(doc, s, annee).map(|mut i| {
                i.file_name = unique(&mut pris, &i.file_name);
                i
            })
        });
        render::render_zip(self.engine, doc, items, out, progress)
    }

    /// Data of the base to try `doc`'s template on (`registre check`): the first record it
    /// prints for, `None` when the base has none (no radiated pupil yet, for instance). Must be
    /// an [`Self::essai`] printer: nothing is issued.
    pub fn donnees_essai(&self, doc: Document) -> Result<Option<Value>> {
        let annee = self.annee()?;
        let p = self.perimetre;
        let (eleves, classes, ecoles, inscriptions) = self.store.read(|c| {
            let eleves: Vec<EleveId> = eleves::lister(c, p, &Filtre { limite: 200, ..Filtre::annee(annee) })?
                .into_iter()
                .map(|l| l.id)
                .collect();
            let ecoles = territoires::ecoles(c, p)?;
            let classes = match ecoles.first() {
                Some(e) => classes::classes(c, p, &e.id, annee)?,
                None => Vec::new(),
            };
            let inscriptions = sc::inscriptions(c, p, None, Some(EtatInscription::Inscrit))?;
            Ok((eleves, classes, ecoles, inscriptions))
        })?;
        let sujets: Vec<Sujet> = match doc {
            Document::ListeClasse | Document::ListeAppel => {
                classes.into_iter().take(1).map(|k| Sujet::Classe(k.id)).collect()
            }
            Document::ListeEleves | Document::ListeElectorale | Document::RegistreEleves => {
                ecoles.into_iter().take(1).map(|e| Sujet::Ecole(e.id)).collect()
            }
            Document::CertificatInscription => {
                inscriptions.into_iter().take(1).map(|i| Sujet::Inscription(i.id)).collect()
            }
            _ => eleves.into_iter().map(Sujet::Eleve).collect(),
        };
        for s in &sujets {
            match self.piece(doc, s, annee) {
                Ok(p) => return Ok(Some(json!({ "documents": [p.data] }))),
                Err(Error::Conflit(_) | Error::Introuvable(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// The data of `doc` for one pupil, as the template reads it (`registre bench`).
    pub fn donnees_eleve(&self, doc: Document, eleve: &EleveId, out: &mut Vec<Value>) -> Result<()> {
        let annee = self.annee()?;
        out.push(json!({ "documents": [self.piece(doc, &Sujet::Eleve(eleve.clone()), annee)?.data] }));
        Ok(())
    }

    /// Prints `doc` for the given pupils (each read within the perimeter), as a ZIP or one
    /// merged PDF: the print run's pipeline on an arbitrary list (`registre bench`).
    pub fn lot_eleves<W: Write + Seek>(
        &self,
        doc: Document,
        eleves: &[EleveId],
        zip: bool,
        out: W,
        progress: Progression<'_>,
    ) -> Result<usize> {
        let annee = self.annee()?;
        let mut pris = std::collections::HashSet::new();
        let items = eleves.iter().map(|id| {
            self.item(doc, &Sujet::Eleve(id.clone()), annee).map(|mut i| {
                i.file_name = unique(&mut pris, &i.file_name);
                i
            })
        });
        if zip {
            render::render_zip(self.engine, doc, items, out, progress)
        } else {
            render::render_pdf(self.engine, doc, items, out, (doc.titre(), "bench"), progress)
        }
    }

    /// How many documents `doc` for `cible` makes (what they are for, not what the journal will
    /// name: a queued print run works out its plan when it runs).
    pub fn compter(&self, doc: Document, cible: &Cible) -> Result<usize> {
        self.store.lire(|_| Ok(self.sujets(doc, cible, self.annee()?)?.len()))
    }

    /// The school of a UAI, in the perimeter.
    pub fn ecole_par_uai(&self, uai: &Uai) -> Result<EcoleId> {
        Ok(self.store.read(|c| territoires::ecole_par_uai(c, self.perimetre, uai))?.id)
    }
}

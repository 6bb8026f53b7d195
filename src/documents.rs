//! Documents end to end: find the records in the actor's perimeter, shape the data each
//! template expects, and print one PDF, a merged PDF or a ZIP of PDFs.
//!
//! Shared by the CLI (`registre render`) and the HTTP server, so both print the same bytes.

use std::io::{Seek, Write};

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::domain::identite::{date_fr, date_longue};
use crate::domain::{AnneeScolaire, ClasseId, CommuneInsee, EcoleId, EleveId, Niveau, Perimetre, Sexe, Uai};
use crate::render::{self, BatchItem, Document, Engine, Stamp};
use crate::store::eleves::{self, FicheEleve, Filtre};
use crate::store::territoires::{self, EnTete};
use crate::store::{self, Store, classes};

/// Errors of document printing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The print engine failed.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// The document does not apply to that target.
    #[error("{0}")]
    Cible(String),
}

/// Result of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What to print the document for.
#[derive(Debug, Clone)]
pub enum Cible {
    /// One pupil.
    Eleve(EleveId),
    /// A class: every pupil of it, or its list.
    Classe(ClasseId),
    /// A school: every pupil, or every class list.
    Ecole(EcoleId),
}

/// The output of a print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One PDF (several documents are merged, a page sequence each).
    Pdf,
    /// A ZIP with one PDF per document.
    Zip,
}

fn ecole_json(t: &EnTete) -> Value {
    json!({
        "nom": t.nom, "uai": t.uai, "adresse": t.adresse, "telephone": t.telephone, "courriel": t.courriel,
        "academie": format!("Académie {}", crate::domain::identite::de(&t.academie)), "departement": t.departement, "circonscription": t.circonscription,
    })
}

fn lieu_naissance(insee: &CommuneInsee, lieu: &str) -> String {
    match insee.departement() {
        Some(dep) => format!("{lieu} ({dep})"),
        None => lieu.to_string(),
    }
}

fn sexe_libelle(s: Sexe) -> &'static str {
    match s {
        Sexe::F => "féminin",
        Sexe::M => "masculin",
    }
}

fn lignes_adresse(
    adresse: &Option<String>,
    cp: &Option<String>,
    commune: &Option<String>,
    pays: Option<&String>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = adresse {
        out.push(a.clone());
    }
    let ville = [cp.as_deref(), commune.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    if !ville.is_empty() {
        out.push(ville);
    }
    if let Some(p) = pays {
        out.push(p.clone());
    }
    out
}

fn signataire(t: &EnTete) -> Value {
    let (qualite, majuscule) =
        if t.direction_feminin { ("directrice", "La directrice") } else { ("directeur", "Le directeur") };
    json!({ "nom": t.direction_nom, "qualite": qualite, "qualite_majuscule": majuscule, "feminin": t.direction_feminin })
}

fn eleve_json(f: &FicheEleve) -> Value {
    let e = &f.eleve;
    json!({
        "nom": e.nom, "nom_usage": e.nom_usage, "prenoms": e.prenoms, "sexe": e.sexe.code(),
        "sexe_libelle": sexe_libelle(e.sexe), "date_naissance": date_fr(e.date_naissance),
        "lieu_naissance": lieu_naissance(&e.naissance_insee, &e.naissance_lieu),
        "adresse": lignes_adresse(&e.adresse, &e.code_postal, &e.commune_residence, None),
    })
}

/// Data of a certificat de scolarité.
pub fn donnees_certificat_scolarite(
    f: &FicheEleve,
    t: &EnTete,
    annee: AnneeScolaire,
    le: OffsetDateTime,
) -> Result<Value> {
    let s = f.scolarite(annee).filter(|s| s.etat.est_present()).ok_or_else(|| {
        Error::Cible(format!("l'élève n'est pas scolarisé dans l'école en {annee} : pas de certificat de scolarité"))
    })?;
    Ok(json!({
        "ecole": ecole_json(t), "annee": annee.to_string(), "eleve": eleve_json(f),
        "scolarite": {
            "niveau": s.niveau.code(), "niveau_libelle": s.niveau.libelle(), "cycle": s.cycle.to_string(),
            "classe": s.classe, "depuis": date_fr(s.date_admission),
        },
        "signataire": signataire(t), "fait_a": t.commune, "fait_le": date_longue(le.date()),
    }))
}

/// Data of a fiche de renseignements.
pub fn donnees_fiche_renseignements(
    f: &FicheEleve,
    t: &EnTete,
    annee: AnneeScolaire,
    le: OffsetDateTime,
) -> Result<Value> {
    let s = f.scolarite(annee);
    let responsables: Vec<Value> = f
        .responsables
        .iter()
        .map(|r| {
            let identite = [r.civilite.map(|c| c.code().to_string()), Some(r.prenom.clone()), Some(r.nom.clone())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            json!({
                "identite": identite, "lien": r.lien.libelle(),
                "adresse": lignes_adresse(&r.adresse, &r.code_postal, &r.commune, r.pays.as_ref()),
                "telephones": { "portable": r.tel_portable, "domicile": r.tel_domicile, "travail": r.tel_travail },
                "courriel": r.courriel, "autorite_parentale": r.autorite_parentale,
                "accord_associations": r.accord_associations,
            })
        })
        .collect();
    let contacts: Vec<Value> = f
        .contacts
        .iter()
        .map(|c| {
            let tels: Vec<&String> = [Some(&c.telephone), c.telephone_2.as_ref()].into_iter().flatten().collect();
            json!({
                "identite": format!("{} {}", c.prenom, c.nom), "lien": c.lien, "telephones": tels,
                "urgence": c.urgence, "recuperer": c.recuperer,
            })
        })
        .collect();
    let a = f.annuel.clone().unwrap_or_default();
    Ok(json!({
        "ecole": ecole_json(t), "annee": annee.to_string(), "eleve": eleve_json(f),
        "scolarite": {
            "niveau": s.map(|s| s.niveau.code()).unwrap_or("—"),
            "classe": s.and_then(|s| s.classe.clone()),
        },
        "responsables": responsables, "contacts": contacts,
        "autorisations": { "photo": a.autorisation_photo },
        "assurance": a.assureur.as_ref().map(|assureur| json!({ "assureur": assureur, "numero": a.assurance_numero })),
        "periscolaire": {
            "cantine": a.cantine, "garderie_matin": a.garderie_matin, "garderie_soir": a.garderie_soir,
            "etude": a.etude, "transport": a.transport,
        },
        "fait_a": t.commune, "fait_le": date_longue(le.date()),
    }))
}

/// The printing service: a store, an engine, and the perimeter of whoever prints.
#[derive(Debug, Clone, Copy)]
pub struct Imprimeur<'a> {
    /// The store.
    pub store: &'a Store,
    /// The print engine.
    pub engine: &'a Engine,
    /// The actor's perimeter: records outside it are not found.
    pub perimetre: &'a Perimetre,
    /// When the document is made.
    pub le: OffsetDateTime,
}

/// Most documents merged into one PDF; beyond, a ZIP is required (memory stays bounded).
pub const MAX_FUSION: usize = 2000;

enum Sujet {
    Eleve(EleveId),
    Classe(ClasseId),
}

struct Piece {
    nom_fichier: String,
    ident: String,
    data: Value,
}

impl Imprimeur<'_> {
    fn annee(&self) -> Result<AnneeScolaire> {
        Ok(self.store.read(territoires::annee_courante)?)
    }

    /// What `doc` is printed for, given `cible`: pupils or classes, in a stable order.
    fn sujets(&self, doc: Document, cible: &Cible, annee: AnneeScolaire) -> Result<Vec<Sujet>> {
        let p = self.perimetre;
        match doc {
            Document::CertificatScolarite | Document::FicheRenseignements => match cible {
                Cible::Eleve(id) => Ok(vec![Sujet::Eleve(id.clone())]),
                Cible::Classe(id) => Ok(self.store.read(|c| {
                    classes::classe(c, p, id)?;
                    let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(annee) };
                    Ok(eleves::lister(c, p, &f)?.into_iter().map(|l| Sujet::Eleve(l.id)).collect())
                })?),
                Cible::Ecole(id) => Ok(self.store.read(|c| {
                    territoires::ecole(c, p, id)?;
                    let f = Filtre { ecole: Some(id.clone()), presents: true, ..Filtre::annee(annee) };
                    Ok(eleves::lister(c, p, &f)?.into_iter().map(|l| Sujet::Eleve(l.id)).collect())
                })?),
            },
            Document::ListeClasse => match cible {
                Cible::Eleve(_) => {
                    Err(Error::Cible("la liste de classe s'imprime pour une classe ou une école".into()))
                }
                Cible::Classe(id) => Ok(vec![Sujet::Classe(id.clone())]),
                Cible::Ecole(id) => Ok(self.store.read(|c| {
                    territoires::ecole(c, p, id)?;
                    Ok(classes::classes(c, p, id, annee)?.into_iter().map(|k| Sujet::Classe(k.id)).collect())
                })?),
            },
        }
        .and_then(|v: Vec<Sujet>| {
            if v.is_empty() { Err(Error::Cible("aucun document à imprimer pour cette cible".into())) } else { Ok(v) }
        })
    }

    /// Loads the data of one document.
    fn piece(&self, doc: Document, sujet: &Sujet, annee: AnneeScolaire) -> Result<Piece> {
        let p = self.perimetre;
        match sujet {
            Sujet::Eleve(id) => {
                let (fiche, tete) = self.store.read(|c| {
                    let fiche = eleves::fiche(c, p, id, annee)?;
                    let ecole = fiche
                        .scolarite(annee)
                        .map(|s| s.ecole_id.clone())
                        .ok_or(store::Error::Introuvable("scolarité de l'année"))?;
                    Ok((fiche, territoires::en_tete(c, &ecole)?))
                })?;
                let data = match doc {
                    Document::CertificatScolarite => donnees_certificat_scolarite(&fiche, &tete, annee, self.le)?,
                    _ => donnees_fiche_renseignements(&fiche, &tete, annee, self.le)?,
                };
                Ok(Piece {
                    nom_fichier: format!("{}-{}-{}.pdf", doc.name(), slug(&fiche.eleve.nom), id),
                    ident: format!("{id}/{annee}"),
                    data,
                })
            }
            Sujet::Classe(id) => {
                let (classe, lignes, tete) = self.store.read(|c| {
                    let classe = classes::classe(c, p, id)?;
                    let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(annee) };
                    let lignes = eleves::lister(c, p, &f)?;
                    let tete = territoires::en_tete(c, &classe.ecole_id)?;
                    Ok((classe, lignes, tete))
                })?;
                let effectifs: Vec<Value> = classe
                    .niveaux
                    .iter()
                    .map(|n: &Niveau| {
                        let du_niveau = lignes.iter().filter(|l| l.niveau == *n);
                        let filles = du_niveau.clone().filter(|l| l.sexe == Sexe::F).count();
                        json!({ "niveau": n.code(), "filles": filles, "garcons": du_niveau.count() - filles })
                    })
                    .collect();
                let eleves_json: Vec<Value> = lignes
                    .iter()
                    .map(|l| {
                        json!({
                            "nom": l.nom, "prenoms": l.prenoms, "sexe": l.sexe.code(),
                            "date_naissance": date_fr(l.date_naissance), "niveau": l.niveau.code(),
                        })
                    })
                    .collect();
                let data = json!({
                    "ecole": ecole_json(&tete), "annee": annee.to_string(),
                    "classe": {
                        "libelle": classe.libelle,
                        "niveaux": classe.niveaux.iter().map(|n| n.code()).collect::<Vec<_>>().join(", "),
                        "enseignant": classe.enseignant,
                    },
                    "eleves": eleves_json, "effectifs": effectifs,
                    "fait_a": tete.commune, "fait_le": date_longue(self.le.date()),
                });
                Ok(Piece {
                    nom_fichier: format!("{}-{}-{}.pdf", doc.name(), slug(&classe.libelle), id),
                    ident: format!("{id}/{annee}"),
                    data,
                })
            }
        }
    }

    /// The records `doc` for `cible` prints (pupil or class ids), in order: what the journal
    /// records before the document is handed over.
    pub fn sujets_ids(&self, doc: Document, cible: &Cible) -> Result<Vec<String>> {
        let annee = self.annee()?;
        Ok(self
            .sujets(doc, cible, annee)?
            .into_iter()
            .map(|s| match s {
                Sujet::Eleve(id) => id.to_string(),
                Sujet::Classe(id) => id.to_string(),
            })
            .collect())
    }

    /// Whether `doc` is printed per pupil (then each printed pupil is journaled).
    pub fn par_eleve(doc: Document) -> bool {
        !matches!(doc, Document::ListeClasse)
    }

    /// Prints `doc` for `cible` as one PDF (several documents merged in order).
    pub fn pdf(&self, doc: Document, cible: &Cible) -> Result<Vec<u8>> {
        let annee = self.annee()?;
        let sujets = self.sujets(doc, cible, annee)?;
        if sujets.len() > MAX_FUSION {
            return Err(Error::Cible(format!(
                "{} documents : au-delà de {MAX_FUSION}, demandez une archive ZIP (un PDF par document)",
                sujets.len()
            )));
        }
        let pieces = sujets.iter().map(|s| self.piece(doc, s, annee)).collect::<Result<Vec<_>>>()?;
        let ident = pieces.iter().map(|p| p.ident.as_str()).collect::<Vec<_>>().join("+");
        let documents: Vec<Value> = pieces.into_iter().map(|p| p.data).collect();
        Ok(self.engine.render(doc, &json!({ "documents": documents }), &Stamp { at: self.le, ident })?)
    }

    /// Prints `doc` for `cible` as a ZIP with one PDF per document, written to `out`; the data
    /// of each document is loaded only when its turn comes, so memory stays bounded.
    pub fn zip<W: Write + Seek>(
        &self,
        doc: Document,
        cible: &Cible,
        out: W,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<usize> {
        let annee = self.annee()?;
        let sujets = self.sujets(doc, cible, annee)?;
        let items = sujets.iter().map(|s| {
            self.piece(doc, s, annee).map(|p| BatchItem {
                file_name: p.nom_fichier,
                stamp: Stamp { at: self.le, ident: p.ident },
                data: json!({ "documents": [p.data] }),
            })
        });
        render::render_zip(self.engine, doc, items, out, progress)
    }

    /// How many documents `doc` for `cible` makes.
    pub fn compter(&self, doc: Document, cible: &Cible) -> Result<usize> {
        let annee = self.annee()?;
        Ok(self.sujets(doc, cible, annee)?.len())
    }

    /// The school of a UAI, in the perimeter.
    pub fn ecole_par_uai(&self, uai: &Uai) -> Result<EcoleId> {
        Ok(self.store.read(|c| territoires::ecole_par_uai(c, self.perimetre, uai))?.id)
    }
}

/// An ASCII file-name fragment of a name.
pub fn slug(s: &str) -> String {
    let k = crate::domain::identite::cle_recherche(s);
    let k: String = k.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    k.split('-').filter(|p| !p.is_empty()).take(4).collect::<Vec<_>>().join("-").chars().take(40).collect()
}

//! The rentrée documents beside the certificates: the fiche d'urgence, the liste
//! d'appel, the liste des élèves with chosen columns, the parents' liste électorale (PDF and
//! CSV) and the relevé des données. Each reads the records through the store within the
//! printer's perimeter and shapes the data its template expects (`templates/documents`).

use serde::Serialize;
use time::OffsetDateTime;

use super::{
    EcoleDoc, EleveDoc, Error, Imprimeur, Piece, Result, SignataireDoc, Sujet, ascii, ecole_json, eleve_json,
    lignes_adresse, signataire, telephones_contact, valeur,
};
use crate::domain::election::{self, Enfant, Rattachement};
use crate::domain::identite::{date_fr, date_longue};
use crate::domain::{AnneeScolaire, ClasseId, Colonne, EcoleId};
use crate::store::eleves::{self, FicheEleve, Filtre, ResponsableFiche};
use crate::store::territoires::{self, EnTete};
use crate::store::{self, classes, journal};

/// A person to call, as the fiche d'urgence prints them.
#[derive(Debug, Clone, Serialize)]
pub(super) struct PersonneUrgence {
    identite: String,
    lien: Option<String>,
    telephones: Vec<String>,
}

/// The data of a fiche d'urgence.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FicheUrgence {
    ecole: EcoleDoc,
    annee: String,
    eleve: EleveDoc,
    classe: String,
    responsables: Vec<PersonneUrgence>,
    contacts: Vec<PersonneUrgence>,
    fait_le: String,
}

/// A responsable's phones, labelled (`portable : 06…`).
fn telephones(r: &ResponsableFiche) -> Vec<String> {
    r.personne.telephones().into_iter().map(|(l, t)| format!("{l} : {t}")).collect()
}

/// The class of the year as printed, or the niveau for a pupil not yet placed.
fn classe_de(f: &FicheEleve, annee: AnneeScolaire) -> String {
    match f.scolarite(annee) {
        Some(s) => s.classe.clone().unwrap_or_else(|| format!("{} (non réparti)", s.niveau.code())),
        None => "—".into(),
    }
}

/// Data of a fiche d'urgence: the responsables who hold parental authority and the persons to
/// call in an emergency, pre-filled; the health boxes stay blank on paper.
pub(super) fn fiche_urgence(f: &FicheEleve, t: &EnTete, annee: AnneeScolaire, le: OffsetDateTime) -> FicheUrgence {
    FicheUrgence {
        ecole: ecole_json(t),
        annee: annee.to_string(),
        eleve: eleve_json(&f.eleve),
        classe: classe_de(f, annee),
        responsables: f
            .responsables
            .iter()
            .filter(|r| r.autorite_parentale)
            .map(|r| PersonneUrgence {
                identite: r.personne.designation(),
                lien: Some(r.personne.lien.libelle().to_string()),
                telephones: telephones(r),
            })
            .collect(),
        contacts: f
            .contacts
            .iter()
            .filter(|c| c.urgence)
            .map(|c| PersonneUrgence {
                identite: format!("{} {}", c.prenom, c.nom),
                lien: c.lien.clone(),
                telephones: telephones_contact(c),
            })
            .collect(),
        fait_le: date_longue(le.date()),
    }
}

#[derive(Debug, Clone, Serialize)]
struct ClasseListe {
    libelle: String,
    niveaux: String,
    enseignant: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct EleveAppel {
    nom: String,
    prenoms: String,
    telephones: Vec<String>,
}

/// The data of a liste d'appel.
#[derive(Debug, Clone, Serialize)]
struct ListeAppel {
    ecole: EcoleDoc,
    annee: String,
    classe: ClasseListe,
    eleves: Vec<EleveAppel>,
    fait_a: String,
    fait_le: String,
}

/// The data of a liste des élèves: headings, then one row of cells per pupil.
#[derive(Debug, Clone, Serialize)]
struct ListeEleves {
    ecole: EcoleDoc,
    annee: String,
    portee: String,
    colonnes: Vec<&'static str>,
    lignes: Vec<Vec<Option<String>>>,
    fait_a: String,
    fait_le: String,
}

#[derive(Debug, Clone, Serialize)]
struct EnfantElecteur {
    eleve: String,
    classe: String,
}

#[derive(Debug, Clone, Serialize)]
struct ElecteurDoc {
    civilite: Option<String>,
    nom: String,
    prenom: String,
    enfants: Vec<EnfantElecteur>,
    adresse: Option<Vec<String>>,
}

/// The data of a liste électorale.
#[derive(Debug, Clone, Serialize)]
struct ListeElectorale {
    ecole: EcoleDoc,
    annee: String,
    electeurs: Vec<ElecteurDoc>,
    fait_a: String,
    fait_le: String,
}

#[derive(Debug, Clone, Serialize)]
struct ScolariteReleve {
    annee: String,
    ecole: String,
    niveau: String,
    classe: Option<String>,
    etat: &'static str,
    admission: String,
    sortie: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct ResponsableReleve {
    identite: String,
    lien: &'static str,
    autorite_parentale: bool,
    adresse: Vec<String>,
    telephones: Vec<String>,
    courriel: Option<String>,
    accord_associations: Option<bool>,
}

/// A field of the yearly record, as the relevé lists it: every field of the catalogue.
#[derive(Debug, Clone, Serialize)]
struct LigneReleve {
    libelle: String,
    valeur: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
struct ConsultationReleve {
    le: String,
    par: String,
    quoi: String,
}

/// A family's request, as the relevé lists it.
#[derive(Debug, Clone, Serialize)]
struct DemandeReleve {
    le: String,
    quoi: String,
    etat: &'static str,
    motif: Option<String>,
}

/// The data of a relevé des données.
#[derive(Debug, Clone, Serialize)]
struct ReleveDonnees {
    ecole: EcoleDoc,
    annee: String,
    eleve: EleveDoc,
    ine: Option<String>,
    scolarites: Vec<ScolariteReleve>,
    responsables: Vec<ResponsableReleve>,
    contacts: Vec<super::ContactDoc>,
    /// Every field of this year's record, from the field catalogue: what is kept is listed.
    annuel: Vec<LigneReleve>,
    consultations: Vec<ConsultationReleve>,
    consultations_tronquees: bool,
    /// The family's requests (rectification, opposition) and their outcome.
    demandes: Vec<DemandeReleve>,
    signataire: SignataireDoc,
    fait_a: String,
    fait_le: String,
}

/// A CSV cell that a spreadsheet will not read as a formula: a leading `=`, `+`, `-`, `@`, tab
/// or carriage return gets an apostrophe before it (OWASP, CSV injection).
pub fn cellule(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}").into() } else { s.into() }
}

/// Most consultations a relevé reproduces.
const CONSULTATIONS_MAX: u32 = 500;

impl Imprimeur<'_> {
    fn classe_liste(k: &classes::ClasseResume) -> ClasseListe {
        ClasseListe {
            libelle: k.libelle.clone(),
            niveaux: k.niveaux.iter().map(|n| n.code()).collect::<Vec<_>>().join(", "),
            enseignant: k.enseignant.clone(),
        }
    }

    /// The records of the pupils present in a class or a school, in French order.
    fn fiches(&self, filtre: &Filtre) -> Result<Vec<FicheEleve>> {
        let p = self.perimetre;
        Ok(self.store.read(|c| {
            eleves::lister(c, p, filtre)?.iter().map(|l| eleves::fiche(c, p, &l.id, filtre.annee)).collect()
        })?)
    }

    pub(super) fn liste_appel(&self, id: &ClasseId) -> Result<Piece> {
        let p = self.perimetre;
        let (classe, tete) = self.store.read(|c| {
            let k = classes::classe(c, p, id)?;
            let t = territoires::en_tete(c, &k.ecole_id)?;
            Ok((k, t))
        })?;
        let filtre = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(classe.annee) };
        let eleves = self
            .fiches(&filtre)?
            .into_iter()
            .map(|f| {
                let mut tels: Vec<String> = f
                    .responsables
                    .iter()
                    .filter(|r| r.autorite_parentale)
                    .filter_map(|r| {
                        let (_, t) = r.personne.telephones().into_iter().next()?;
                        Some(format!("{} ({}) : {t}", r.personne.designation(), r.personne.lien.libelle()))
                    })
                    .collect();
                tels.extend(f.contacts.iter().filter(|k| k.urgence).map(|k| {
                    let lien = k.lien.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
                    format!("{} {}{lien} : {}", k.prenom, k.nom, k.telephone)
                }));
                EleveAppel { nom: f.eleve.nom, prenoms: f.eleve.prenoms, telephones: tels }
            })
            .collect();
        let data = valeur(&ListeAppel {
            ecole: ecole_json(&tete),
            annee: classe.annee.to_string(),
            classe: Self::classe_liste(&classe),
            eleves,
            fait_a: tete.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })?;
        Ok(Piece {
            nom_fichier: format!("{}-{}/{}/liste-appel.pdf", tete.uai, ascii(&tete.nom), ascii(&classe.libelle)),
            ident: format!("appel/{id}/{}", classe.annee),
            data,
            le: self.le,
        })
    }

    /// The liste des élèves's rows: one per pupil, the chosen columns only.
    fn lignes_eleves(&self, filtre: &Filtre) -> Result<Vec<Vec<Option<String>>>> {
        let p = self.perimetre;
        let colonnes = self.colonnes_ou_defaut();
        // INE and address are not in a list line: read the record only when asked.
        let fiche = colonnes.iter().any(|c| matches!(c, Colonne::Ine | Colonne::Adresse));
        Ok(self.store.read(|c| {
            eleves::lister(c, p, filtre)?
                .into_iter()
                .map(|l| {
                    let f = if fiche { Some(eleves::fiche(c, p, &l.id, filtre.annee)?) } else { None };
                    Ok(colonnes
                        .iter()
                        .map(|col| match col {
                            Colonne::Nom => Some(match &l.nom_usage {
                                Some(u) => format!("{} ({u})", l.nom),
                                None => l.nom.clone(),
                            }),
                            Colonne::Prenoms => Some(l.prenoms.clone()),
                            Colonne::Sexe => Some(l.sexe.code().to_string()),
                            Colonne::Naissance => Some(date_fr(l.date_naissance)),
                            Colonne::Niveau => Some(l.niveau.code().to_string()),
                            Colonne::Classe => l.classe.clone(),
                            Colonne::Ine => {
                                f.as_ref().and_then(|f| f.eleve.ine.as_ref().map(|i| i.as_str().to_string()))
                            }
                            Colonne::Adresse => f.as_ref().map(|f| {
                                let e = &f.eleve;
                                lignes_adresse(&e.adresse, &e.code_postal, &e.commune_residence, None).join(", ")
                            }),
                        })
                        .collect())
                })
                .collect::<store::Result<Vec<_>>>()
        })?)
    }

    fn colonnes_ou_defaut(&self) -> &[Colonne] {
        if self.colonnes.is_empty() { &Colonne::DEFAUT } else { self.colonnes }
    }

    pub(super) fn liste_eleves(&self, sujet: &Sujet, annee: AnneeScolaire) -> Result<Piece> {
        let p = self.perimetre;
        let (ecole, portee, filtre, classe) = match sujet {
            Sujet::Classe(id) => {
                let k = self.store.read(|c| classes::classe(c, p, id))?;
                let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(k.annee) };
                (k.ecole_id.clone(), format!("Classe {}", k.libelle), f, Some(k.libelle))
            }
            Sujet::Ecole(id) => {
                let f = Filtre { ecole: Some(id.clone()), presents: true, ..Filtre::annee(annee) };
                (id.clone(), "Toute l'école".to_string(), f, None)
            }
            _ => return Err(Error::Conflit("la liste des élèves s'imprime pour une classe ou une école".into())),
        };
        let tete = self.store.read(|c| territoires::en_tete(c, &ecole))?;
        let data = valeur(&ListeEleves {
            ecole: ecole_json(&tete),
            annee: filtre.annee.to_string(),
            portee,
            colonnes: self.colonnes_ou_defaut().iter().map(|c| c.libelle()).collect(),
            lignes: self.lignes_eleves(&filtre)?,
            fait_a: tete.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })?;
        let dossier = format!("{}-{}", tete.uai, ascii(&tete.nom));
        let nom_fichier = match classe {
            Some(k) => format!("{dossier}/{}/liste-eleves.pdf", ascii(&k)),
            None => format!("{dossier}/liste-eleves.pdf"),
        };
        Ok(Piece { nom_fichier, ident: format!("eleves/{ecole}/{}", filtre.annee), data, le: self.le })
    }

    /// The electors of a school, by the rules of `domain::election`.
    fn electeurs(&self, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Vec<election::Electeur>> {
        let filtre = Filtre { ecole: Some(ecole.clone()), presents: true, ..Filtre::annee(annee) };
        let enfants: Vec<Enfant> = self
            .fiches(&filtre)?
            .iter()
            .map(|f| Enfant {
                nom: f.eleve.nom.clone(),
                prenoms: f.eleve.prenoms.clone(),
                classe: classe_de(f, annee),
                responsables: f
                    .responsables
                    .iter()
                    .map(|r| Rattachement {
                        responsable: r.id.to_string(),
                        civilite: r.personne.civilite.map(|c| c.code().to_string()),
                        nom: r.personne.nom.to_string(),
                        prenom: r.personne.prenom.to_string(),
                        adresse: lignes_adresse(
                            &r.personne.adresse,
                            &r.personne.code_postal,
                            &r.personne.commune,
                            r.personne.pays.as_ref(),
                        ),
                        lien: r.personne.lien,
                        autorite_parentale: r.autorite_parentale,
                        accord_associations: r.accord_associations,
                    })
                    .collect(),
            })
            .collect();
        Ok(election::liste(&enfants))
    }

    pub(super) fn liste_electorale(&self, id: &EcoleId, annee: AnneeScolaire) -> Result<Piece> {
        let tete = self.store.read(|c| territoires::en_tete(c, id))?;
        let electeurs = self
            .electeurs(id, annee)?
            .into_iter()
            .map(|e| ElecteurDoc {
                civilite: e.civilite,
                nom: e.nom,
                prenom: e.prenom,
                enfants: e.enfants.into_iter().map(|(eleve, classe)| EnfantElecteur { eleve, classe }).collect(),
                adresse: e.adresse,
            })
            .collect();
        let data = valeur(&ListeElectorale {
            ecole: ecole_json(&tete),
            annee: annee.to_string(),
            electeurs,
            fait_a: tete.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })?;
        Ok(Piece {
            nom_fichier: format!("liste-electorale-{}-{annee}.pdf", tete.uai),
            ident: format!("electorale/{id}/{annee}"),
            data,
            le: self.le,
        })
    }

    pub(super) fn releve_donnees(&self, f: &FicheEleve, t: &EnTete, annee: AnneeScolaire) -> Result<serde_json::Value> {
        let p = self.perimetre;
        let consultations = self.store.read(|c| {
            let vu = eleves::voir(c, p, &f.eleve.id)?;
            journal::consultations(c, &vu, CONSULTATIONS_MAX + 1)
        })?;
        let tronquees = consultations.len() > CONSULTATIONS_MAX as usize;
        let demandes = self.store.read(|c| {
            use crate::store::corrections::{Sorte, demandes};
            let mut l: Vec<(time::OffsetDateTime, DemandeReleve)> = Vec::new();
            for sorte in [Sorte::Rectification, Sorte::Opposition] {
                for d in demandes(c, p, sorte, Some(&f.eleve.id), None)? {
                    let quoi = match (sorte, d.champ.as_deref().map(crate::domain::correction::ChampRectifie::parse)) {
                        (Sorte::Opposition, _) => "opposition pour motif légitime".to_string(),
                        (_, Some(Ok(champ))) => format!("rectification : {}", champ.libelle()),
                        _ => "rectification".to_string(),
                    };
                    let le = d.depose_le.to_offset(crate::clock::paris_offset(d.depose_le)).date();
                    l.push((
                        d.depose_le,
                        DemandeReleve { le: date_fr(le), quoi, etat: d.etat.libelle(), motif: d.motif },
                    ));
                }
            }
            l.sort_by_key(|d| std::cmp::Reverse(d.0));
            Ok(l.into_iter().map(|(_, d)| d).collect::<Vec<_>>())
        })?;
        // Years brought by a transfer dossier from another département.
        let anterieures = self.store.read(|c| {
            let vu = crate::store::eleves::voir(c, p, &f.eleve.id)?;
            crate::store::dossier::lister(c, &vu)
        })?;
        let a = f.annuel.clone().unwrap_or_default();
        valeur(&ReleveDonnees {
            ecole: ecole_json(t),
            annee: annee.to_string(),
            eleve: eleve_json(&f.eleve),
            ine: f.eleve.ine.as_ref().map(|i| i.as_str().to_string()),
            scolarites: f
                .scolarites
                .iter()
                .map(|s| ScolariteReleve {
                    annee: s.annee.to_string(),
                    ecole: format!("{} ({})", s.ecole, s.uai),
                    niveau: format!("{} — cycle {}", s.niveau.code(), s.cycle.numero()),
                    classe: s.classe.clone(),
                    etat: s.etat.libelle(),
                    admission: date_fr(s.date_admission),
                    sortie: s.date_sortie.map(date_fr),
                })
                .chain(anterieures.iter().map(|s| ScolariteReleve {
                    annee: s.annee.to_string(),
                    ecole: format!("{} ({}), autre département", s.ecole, s.uai),
                    niveau: s.niveau.code().to_string(),
                    classe: None,
                    etat: s.etat.libelle(),
                    admission: date_fr(s.date_admission),
                    sortie: s.date_sortie.map(date_fr),
                }))
                .collect(),
            responsables: f
                .responsables
                .iter()
                .map(|r| ResponsableReleve {
                    identite: r.personne.designation(),
                    lien: r.personne.lien.libelle(),
                    autorite_parentale: r.autorite_parentale,
                    adresse: lignes_adresse(
                        &r.personne.adresse,
                        &r.personne.code_postal,
                        &r.personne.commune,
                        r.personne.pays.as_ref(),
                    ),
                    telephones: telephones(r),
                    courriel: r.personne.courriel.clone(),
                    accord_associations: r.accord_associations,
                })
                .collect(),
            contacts: f.contacts.iter().map(super::ContactDoc::de).collect(),
            annuel: crate::domain::champs::ChampAnnuel::TOUS
                .iter()
                .map(|c| LigneReleve { libelle: crate::domain::champs::phrase(c.libelle()), valeur: c.valeur(&a) })
                .collect(),
            consultations: consultations
                .iter()
                .take(CONSULTATIONS_MAX as usize)
                .map(|c| {
                    let l = crate::service::eleves::consultation_lisible(c);
                    ConsultationReleve { le: l.le, par: l.par, quoi: l.quoi }
                })
                .collect(),
            consultations_tronquees: tronquees,
            demandes,
            signataire: signataire(t),
            fait_a: t.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })
    }

    /// A list as CSV (`;`-separated, UTF-8 with a byte-order mark so that spreadsheets read the
    /// accents): the liste électorale (same electors as the PDF) or the liste des élèves.
    pub fn csv(&self, plan: &super::Plan) -> Result<Vec<u8>> {
        let (doc, annee, sujets) = (plan.doc(), plan.annee(), plan.sujets());
        self.store.lire(|_| self.csv_de(doc, annee, sujets))
    }

    fn csv_de(&self, doc: crate::domain::Document, annee: AnneeScolaire, sujets: &[Sujet]) -> Result<Vec<u8>> {
        use crate::domain::Document;
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::from("\u{feff}".as_bytes()));
        let err = |e: csv::Error| Error::Fichier(std::io::Error::other(e));
        match (doc, sujets) {
            (Document::ListeElectorale, [Sujet::Ecole(id)]) => {
                w.write_record(["nom", "prenom", "civilite", "enfants", "classes", "adresse"]).map_err(err)?;
                for e in self.electeurs(id, annee)? {
                    let enfants: Vec<&str> = e.enfants.iter().map(|(n, _)| n.as_str()).collect();
                    let classes: Vec<&str> = e.enfants.iter().map(|(_, k)| k.as_str()).collect();
                    let adresse = e.adresse.map(|a| a.join(", ")).unwrap_or_default();
                    let civilite = e.civilite.unwrap_or_default();
                    let ligne =
                        [e.nom.as_str(), &e.prenom, &civilite, &enfants.join(" / "), &classes.join(" / "), &adresse];
                    w.write_record(ligne.iter().map(|c| cellule(c).into_owned())).map_err(err)?;
                }
            }
            (Document::ListeEleves, [sujet]) => {
                let filtre = match sujet {
                    Sujet::Classe(id) => {
                        let k = self.store.read(|c| classes::classe(c, self.perimetre, id))?;
                        Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(k.annee) }
                    }
                    Sujet::Ecole(id) => Filtre { ecole: Some(id.clone()), presents: true, ..Filtre::annee(annee) },
                    _ => {
                        return Err(Error::Conflit(
                            "la liste des élèves s'imprime pour une classe ou une école".into(),
                        ));
                    }
                };
                w.write_record(self.colonnes_ou_defaut().iter().map(|c| c.code())).map_err(err)?;
                for l in self.lignes_eleves(&filtre)? {
                    w.write_record(l.iter().map(|c| cellule(c.as_deref().unwrap_or("")).into_owned())).map_err(err)?;
                }
            }
            (Document::ListeElectorale | Document::ListeEleves, _) => {
                return Err(Error::Conflit("un tableur (CSV) se fait pour une classe ou une école à la fois".into()));
            }
            _ => {
                return Err(Error::Conflit(
                    "seules la liste électorale et la liste des élèves existent en tableur (CSV)".into(),
                ));
            }
        }
        w.into_inner().map_err(|e| Error::Fichier(std::io::Error::other(e.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::cellule;

    #[test]
    fn a_cell_never_starts_a_formula() {
        for f in ["=HYPERLINK(\"x\")", "+33 6", "-1", "@SUM(A1)", "\tx"] {
            assert!(cellule(f).starts_with('\''), "{f}");
        }
        assert_eq!(cellule("Le Goff"), "Le Goff");
        assert_eq!(cellule(""), "");
    }
}

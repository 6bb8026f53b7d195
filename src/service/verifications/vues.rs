//! What the yearly check shows and how a proposal becomes a correction: pure functions over a
//! pupil's stored record.

use serde::Serialize;

use super::super::corrections::{Correction, saisie_annuel, saisie_contact, saisie_eleve, saisie_responsable};
use crate::domain::champs::{ChampAnnuel, ChampContact, ChampEleve, ChampLien, ChampResponsable, Formulaire, texte};
use crate::domain::identite::date_fr;
use crate::domain::verification::{Bloc, ContactPropose, Proposition};
use crate::domain::{ContactId, ContactSaisie, ResponsableId};
use crate::store::eleves::FicheEleve;

/// One field of a block: its value as stored and whether the family answers it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChampVue {
    /// The key (`adresse`, `tel_portable`, `cantine`…).
    pub cle: &'static str,
    /// The label of the form.
    pub libelle: &'static str,
    /// The value as stored (`oui`/`non` for answers, empty when not known).
    pub valeur: String,
    /// The family answers it at the yearly check (else it is shown only).
    pub modifiable: bool,
    /// How a form asks for it (`texte`, `tel`, `email`, `choix`, `oui_non`, `case`).
    pub genre: &'static str,
    /// Required.
    pub requis: bool,
    /// Longest value.
    pub max: usize,
}

/// A person to contact as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactVue {
    /// Id (to keep the person in a proposal).
    pub id: String,
    /// The fields.
    pub champs: Vec<ChampVue>,
}

/// A change proposed: the field, the value now and the value proposed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ecart {
    /// What changes, in French.
    pub libelle: String,
    /// The value now.
    pub avant: String,
    /// The value proposed.
    pub apres: String,
}

fn vue(cle: &'static str, f: Formulaire, valeur: Option<String>, modifiable: bool) -> ChampVue {
    ChampVue {
        cle,
        libelle: f.libelle,
        valeur: valeur.unwrap_or_default(),
        modifiable,
        genre: f.genre,
        requis: f.requis,
        max: f.max,
    }
}

fn oui_non(b: Option<bool>) -> Option<String> {
    b.map(|b| if b { "oui".to_string() } else { "non".to_string() })
}

/// The pupil's block: identity shown, address answered (never the INE).
pub(super) fn champs_eleve(f: &FicheEleve) -> Vec<ChampVue> {
    ChampEleve::TOUS
        .iter()
        .filter(|c| **c != ChampEleve::Ine && **c != ChampEleve::NaissanceInsee)
        .map(|c| {
            let v = match c {
                ChampEleve::DateNaissance => Some(date_fr(f.eleve.date_naissance)),
                ChampEleve::Sexe => Some(crate::service::documents::sexe_libelle(f.eleve.sexe).to_string()),
                _ => texte(&c.valeur(&f.eleve)),
            };
            vue(c.cle(), c.formulaire(), v, c.verifie_par_la_famille())
        })
        .collect()
}

/// A responsable's own block: the person, and their consent for the parents' associations.
pub(super) fn champs_responsable(f: &FicheEleve, id: &ResponsableId) -> Vec<ChampVue> {
    let Some(r) = f.responsables.iter().find(|r| &r.id == id) else { return Vec::new() };
    let mut v: Vec<ChampVue> = ChampResponsable::TOUS
        .iter()
        .map(|c| vue(c.cle(), c.formulaire(), c.texte(&r.personne), c.verifie_par_la_famille()))
        .collect();
    let a = ChampLien::AccordAssociations;
    v.push(vue(a.cle(), a.formulaire(), oui_non(r.accord_associations), true));
    v
}

/// A person to contact's fields, as stored or as proposed (boxes: `oui`/`non`).
fn champs_contact(s: &ContactSaisie) -> Vec<ChampVue> {
    let oui = |b: bool| Some(if b { "oui" } else { "non" }.to_string());
    ChampContact::TOUS
        .iter()
        .map(|c| {
            let v = match c {
                ChampContact::Nom => Some(s.nom.clone()),
                ChampContact::Prenom => Some(s.prenom.clone()),
                ChampContact::Lien => s.lien.clone(),
                ChampContact::Telephone => Some(s.telephone.clone()),
                ChampContact::Telephone2 => s.telephone_2.clone(),
                ChampContact::Urgence => oui(s.urgence),
                ChampContact::Recuperer => oui(s.recuperer),
            };
            vue(c.cle(), c.formulaire(), v.map(|v| v.trim().to_string()), true)
        })
        .collect()
}

/// The persons to contact, in calling order.
pub(super) fn contacts(f: &FicheEleve) -> Vec<ContactVue> {
    f.contacts.iter().map(|k| ContactVue { id: k.id.to_string(), champs: champs_contact(&saisie_contact(k)) }).collect()
}

/// The year's answers.
pub(super) fn champs_annuel(f: &FicheEleve) -> Vec<ChampVue> {
    let a = saisie_annuel(f.annuel.as_ref());
    ChampAnnuel::TOUS.iter().map(|c| vue(c.cle(), c.formulaire(), texte(&c.valeur(&a)), true)).collect()
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// A contact's box ticked: `oui`.
fn coche(v: &str) -> Option<String> {
    (v.trim() == "oui").then(|| "oui".to_string())
}

/// The contacts a proposal lists, each from the stored one it keeps (a stranger id is not
/// found) with the values sent.
fn contacts_proposes(
    f: &FicheEleve,
    l: &[ContactPropose],
) -> Result<Vec<(Option<ContactId>, ContactSaisie)>, super::Error> {
    l.iter()
        .map(|k| {
            let (id, mut s) = match &k.id {
                Some(id) => {
                    let a = f
                        .contacts
                        .iter()
                        .find(|x| x.id.as_str() == id.as_str())
                        .ok_or(crate::store::Error::Introuvable("personne à contacter"))?;
                    (Some(a.id.clone()), saisie_contact(a))
                }
                None => (None, ContactSaisie::default()),
            };
            for (cle, v) in &k.valeurs {
                if let Some(c) = ChampContact::parse(cle).filter(|c| c.verifie_par_la_famille()) {
                    let v = if c.formulaire().genre == "case" { coche(v) } else { opt(v) };
                    c.poser(&mut s, v);
                }
            }
            Ok((id, s))
        })
        .collect()
}

/// The correction a proposal asks for, on the record as it stands: the fields sent over the
/// stored ones, nothing else. `sujet` is the responsable of a responsable's block.
pub(super) fn correction(f: &FicheEleve, bloc: Bloc, sujet: &str, p: &Proposition) -> Result<Correction, super::Error> {
    let mut c = Correction::default();
    // Only what the catalogue lets a family answer in this block, whatever was stored.
    let valeurs = || p.valeurs.iter().filter(|(cle, _)| bloc.champ_permis(cle).is_ok());
    match bloc {
        Bloc::Eleve => {
            let mut s = saisie_eleve(&f.eleve);
            for (cle, v) in valeurs() {
                if let Some(ch) = ChampEleve::parse(cle) {
                    ch.poser(&mut s, opt(v));
                }
            }
            c.eleve = Some(s);
        }
        Bloc::Responsable => {
            let r = f
                .responsables
                .iter()
                .find(|r| r.id.as_str() == sujet)
                .ok_or(crate::store::Error::Introuvable("responsable"))?;
            let mut s = saisie_responsable(r);
            for (cle, v) in valeurs() {
                if cle == ChampLien::AccordAssociations.cle() {
                    s.accord_associations = match v.trim() {
                        "oui" => Some(true),
                        "non" => Some(false),
                        _ => None,
                    };
                } else if let Some(ch) = ChampResponsable::parse(cle) {
                    ch.poser(&mut s.responsable, opt(v));
                }
            }
            c.responsables = vec![(r.id.clone(), s)];
        }
        Bloc::Contacts => c.contacts = Some(contacts_proposes(f, p.contacts.as_deref().unwrap_or_default())?),
        Bloc::Annuel => {
            let mut a = saisie_annuel(f.annuel.as_ref());
            for (cle, v) in valeurs() {
                if let Some(ch) = ChampAnnuel::parse(cle) {
                    ch.poser(&mut a, opt(v));
                }
            }
            c.annuel = Some(a);
        }
    }
    Ok(c)
}

/// The values of a block's fields as stored, by key.
fn actuelles(f: &FicheEleve, bloc: Bloc, sujet: &str) -> Vec<ChampVue> {
    match bloc {
        Bloc::Eleve => champs_eleve(f),
        Bloc::Responsable => ResponsableId::parse(sujet).map(|id| champs_responsable(f, &id)).unwrap_or_default(),
        Bloc::Annuel => champs_annuel(f),
        Bloc::Contacts => Vec::new(),
    }
}

/// A proposal without what equals the record: only the fields that change remain, and a list
/// of contacts equal to the stored one is dropped. `None` when nothing changes.
pub(super) fn reduire(f: &FicheEleve, bloc: Bloc, sujet: &str, p: &Proposition) -> Option<Proposition> {
    if bloc == Bloc::Contacts {
        let l = p.contacts.as_deref().unwrap_or_default();
        let avant: Vec<(Option<ContactId>, ContactSaisie)> =
            f.contacts.iter().map(|k| (Some(k.id.clone()), saisie_contact(k))).collect();
        return match contacts_proposes(f, l) {
            Ok(apres) if apres == avant => None,
            _ => Some(Proposition { valeurs: Default::default(), contacts: Some(l.to_vec()) }),
        };
    }
    let champs = actuelles(f, bloc, sujet);
    let valeurs: std::collections::BTreeMap<String, String> = p
        .valeurs
        .iter()
        .filter(|(cle, v)| champs.iter().find(|c| c.cle == cle.as_str()).is_none_or(|c| c.valeur != v.trim()))
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    (!valeurs.is_empty()).then_some(Proposition { valeurs, contacts: None })
}

fn ou_vide(s: &str) -> String {
    if s.is_empty() { "(vide)".into() } else { s.to_string() }
}

fn resume_contact(champs: &[ChampVue]) -> String {
    let v = |k: &str| champs.iter().find(|c| c.cle == k).map(|c| c.valeur.clone()).unwrap_or_default();
    let mut s = [v("prenom"), v("nom")].iter().filter(|x| !x.is_empty()).cloned().collect::<Vec<_>>().join(" ");
    for (k, l) in [("lien", ""), ("telephone", "tél. "), ("telephone_2", "tél. ")] {
        let x = v(k);
        if !x.is_empty() {
            s.push_str(&format!(", {l}{x}"));
        }
    }
    for (k, l) in [("urgence", "à appeler en urgence"), ("recuperer", "peut venir chercher l'enfant")] {
        if v(k) == "oui" {
            s.push_str(&format!(", {l}"));
        }
    }
    s
}

/// The before/after view of a pending proposal, against the record as it stands.
pub(super) fn ecarts(f: &FicheEleve, bloc: Bloc, sujet: &str, p: &Proposition) -> Vec<Ecart> {
    if bloc == Bloc::Contacts {
        let avant = contacts(f);
        let apres: Vec<String> = match contacts_proposes(f, p.contacts.as_deref().unwrap_or_default()) {
            Ok(l) => l.iter().map(|(_, s)| resume_contact(&champs_contact(s))).collect(),
            Err(_) => vec!["(liste devenue invalide : une personne a été retirée depuis)".into()],
        };
        let n = avant.len().max(apres.len());
        return (0..n)
            .filter_map(|i| {
                let a = avant.get(i).map(|k| resume_contact(&k.champs)).unwrap_or_default();
                let b = apres.get(i).cloned().unwrap_or_default();
                (a != b).then(|| Ecart {
                    libelle: format!("Personne à contacter {}", i + 1),
                    avant: if a.is_empty() { "(personne)".into() } else { a },
                    apres: if b.is_empty() { "(retirée)".into() } else { b },
                })
            })
            .collect();
    }
    let champs = actuelles(f, bloc, sujet);
    p.valeurs
        .iter()
        .map(|(cle, v)| {
            let c = champs.iter().find(|c| c.cle == cle.as_str());
            Ecart {
                libelle: c.map(|c| c.libelle.to_string()).unwrap_or_else(|| cle.clone()),
                avant: ou_vide(&c.map(|c| c.valeur.clone()).unwrap_or_default()),
                apres: ou_vide(v),
            }
        })
        .collect()
}

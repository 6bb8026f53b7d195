//! The transfer dossier: a pupil leaving the département carries a ZIP issued at
//! radiation, signed by the département's installation, and arrives with it at admission in
//! another installation: the INE and the schooling kept, the duplicate search run, nothing typed
//! again. The format is documented in `docs/dossier-transfert.md` (version 1).
//!
//! The ZIP holds exactly `dossier.json` (the pupil's allowed data: categories I to IV, never the
//! yearly answers), `certificat-radiation.pdf`, `MANIFESTE` (the SHA-256 of both) and
//! `SIGNATURE.json` (Ed25519 over `MANIFESTE`, with the département and its public key). An
//! import checks the signature, then every hash, then that the key is this installation's own or
//! one the operator recognised (a line `CODE CLÉ` in `<base>.departements-reconnus`): a byte
//! changed anywhere, or a dossier signed by an unknown key, is refused with a French message.
//! Signed content is still validated like a form.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::Fait;
use crate::config::{Cles, hex, unhex};
use crate::domain::identite::parse_date;
use crate::domain::parcours::Piece;
use crate::domain::{
    AnneeScolaire, ChampInvalide, ClasseId, ContactSaisie, Document, EcoleId, EleveId, EleveSaisie, EtatScolarite,
    Niveau, ResponsableSaisie, Uai,
};
use crate::policy::{Action, Ressource};
use crate::render::Engine;
use crate::store::dossier::ScolariteAnterieure;
use crate::store::{self, corrections as stc, eleves, parcours as sc, territoires};

use super::documents::{Cible, Format};
use super::parcours::{DemandeAdmission, EleveInscrit, Origine, Resultat};
use super::{Error, Result, Service};

/// The format's name, in `dossier.json`.
pub const FORMAT: &str = "registre/dossier-transfert";
/// The format's version.
pub const VERSION: u32 = 1;
const JSON: &str = "dossier.json";
const PDF: &str = "certificat-radiation.pdf";
const MANIFESTE: &str = "MANIFESTE";
const SIGNATURE: &str = "SIGNATURE.json";
/// Largest file accepted in a dossier (a zip bomb stops here).
const TAILLE_MAX: u64 = 4 * 1024 * 1024;
/// The bounds of a dossier's archive, checked before any part is expanded.
const BORNES: crate::domain::archive::Bornes =
    crate::domain::archive::Bornes { parties: 16, partie: TAILLE_MAX, total: 2 * TAILLE_MAX, rapport: 200 };

/// The dossier's data (version 1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dossier {
    /// [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// When it was issued (RFC 3339).
    pub emis_le: String,
    /// Who issued it.
    pub emetteur: Emetteur,
    /// Category I, as a form types it (the INE included).
    pub eleve: EleveSaisie,
    /// Category II, in order.
    pub responsables: Vec<ResponsableDossier>,
    /// Category III, in order.
    pub contacts: Vec<ContactSaisie>,
    /// Category IV: every year recorded, newest first.
    pub scolarite: Vec<AnneeDossier>,
    /// The radiation.
    pub radiation: RadiationDossier,
}

/// The issuing installation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emetteur {
    /// Département code (3 characters, as in the UAI).
    pub departement: String,
    /// The school that radiated the pupil.
    pub uai: String,
    /// Its name.
    pub ecole: String,
}

/// A responsable, with parental authority (withdrawn only by a court).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsableDossier {
    /// As a form types it.
    pub responsable: ResponsableSaisie,
    /// False only when withdrawn by a court.
    pub autorite_parentale: bool,
}

/// One year of schooling.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnneeDossier {
    /// First calendar year (2026 for 2026-2027).
    pub annee: i32,
    /// School UAI.
    pub uai: String,
    /// School name.
    pub ecole: String,
    /// Niveau code (`CE2`).
    pub niveau: String,
    /// `admis_provisoire`, `admis_definitif`, `radie` or `parti`.
    pub etat: String,
    /// `aaaa-mm-jj`.
    pub date_admission: String,
    /// `aaaa-mm-jj`.
    #[serde(default)]
    pub date_sortie: Option<String>,
}

impl AnneeDossier {
    fn de(
        annee: AnneeScolaire,
        uai: &Uai,
        ecole: &str,
        niveau: Niveau,
        etat: EtatScolarite,
        admission: time::Date,
        sortie: Option<time::Date>,
    ) -> Self {
        AnneeDossier {
            annee: annee.debut(),
            uai: uai.to_string(),
            ecole: ecole.to_string(),
            niveau: niveau.code().into(),
            etat: etat.code().into(),
            date_admission: admission.to_string(),
            date_sortie: sortie.map(|d| d.to_string()),
        }
    }
}

/// The radiation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadiationDossier {
    /// `aaaa-mm-jj`.
    pub date: String,
    /// Last niveau attended.
    pub niveau: String,
    /// Motive code.
    #[serde(default)]
    pub motif: Option<String>,
    /// Destination given by the family.
    #[serde(default)]
    pub destination: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signature {
    algorithme: String,
    departement: String,
    cle_publique: String,
    signature: String,
}

/// How a dossier is admitted.
#[derive(Debug, Clone, Default)]
pub struct AdmissionDossier {
    /// Niveau (the last one attended by default).
    pub niveau: Option<Niveau>,
    /// A class of the school.
    pub classe: Option<ClasseId>,
    /// Papers still missing (the certificat de radiation is in the dossier).
    pub pieces_manquantes: Vec<Piece>,
    /// The duplicates shown were checked: a new pupil.
    pub confirmer_nouveau: bool,
}

fn paire(cles: &Cles) -> Result<Ed25519KeyPair> {
    // The signing key derives from the key file (kept with the database, never published).
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&cles.verification)
        .map_err(|_| Error::Conflit("clé de vérification invalide".into()))?;
    m.update(b"registre: dossier de transfert, Ed25519, v1");
    let graine = m.finalize().into_bytes();
    Ed25519KeyPair::from_seed_unchecked(&graine).map_err(|_| Error::Conflit("clé de signature invalide".into()))
}

/// This installation's public key for transfer dossiers (hex), to give to other départements.
pub fn cle_publique(cles: &Cles) -> Result<String> {
    Ok(hex(paire(cles)?.public_key().as_ref()))
}

/// The file of the départements' keys this installation recognises.
pub fn chemin_cles_reconnues(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".departements-reconnus");
    PathBuf::from(s)
}

fn refus(m: impl Into<String>) -> Error {
    ChampInvalide::new("dossier", m).into()
}

fn sha256(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

fn manifeste(json: &[u8], pdf: &[u8]) -> String {
    format!("{FORMAT} {VERSION}\n{}  {JSON}\n{}  {PDF}\n", sha256(json), sha256(pdf))
}

fn lire_zip(octets: &[u8]) -> Result<std::collections::BTreeMap<String, Vec<u8>>> {
    if !octets.starts_with(b"PK") {
        return Err(refus("ce fichier n'est pas un dossier de transfert (archive ZIP illisible)"));
    }
    crate::domain::archive::verifier(octets, &BORNES)
        .map_err(|m| refus(format!("dossier de transfert refusé : {m}")))?;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(octets))
        .map_err(|_| refus("ce fichier n'est pas un dossier de transfert (archive ZIP illisible)"))?;
    if z.len() != 4 {
        return Err(refus(
            "le dossier doit contenir exactement dossier.json, certificat-radiation.pdf, MANIFESTE et SIGNATURE.json",
        ));
    }
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let f = z.by_index(i).map_err(|_| refus("archive altérée : une pièce du dossier est illisible"))?;
        let nom = f.name().map(|n| n.into_owned()).unwrap_or_default();
        if ![JSON, PDF, MANIFESTE, SIGNATURE].contains(&nom.as_str()) {
            return Err(refus(format!(
                "pièce inattendue dans le dossier : {}",
                nom.chars().take(60).collect::<String>()
            )));
        }
        let mut b = Vec::new();
        f.take(TAILLE_MAX + 1)
            .read_to_end(&mut b)
            .map_err(|_| refus("archive altérée : une pièce du dossier est illisible"))?;
        if b.len() as u64 > TAILLE_MAX {
            return Err(refus("pièce du dossier trop grande"));
        }
        out.insert(nom, b);
    }
    Ok(out)
}

/// Checks a dossier: its signature, its hashes, the key's département; returns the data and
/// the issuing département. Refusals are French and name nothing of the pupil.
pub fn verifier(cles: &Cles, db: &Path, octets: &[u8]) -> Result<(Dossier, String)> {
    let f = lire_zip(octets)?;
    let piece = |n: &str| f.get(n).ok_or_else(|| refus(format!("pièce manquante : {n}")));
    let sig: Signature = serde_json::from_slice(piece(SIGNATURE)?)
        .map_err(|_| refus("signature illisible : le dossier a été altéré"))?;
    if sig.algorithme != "Ed25519" {
        return Err(refus("algorithme de signature inconnu"));
    }
    let cle =
        decode_hex(&sig.cle_publique, 64).ok_or_else(|| refus("clé publique illisible : le dossier a été altéré"))?;
    let signature =
        decode_hex(&sig.signature, 128).ok_or_else(|| refus("signature illisible : le dossier a été altéré"))?;
    let manifeste_recu = piece(MANIFESTE)?;
    UnparsedPublicKey::new(&ED25519, &cle)
        .verify(manifeste_recu, &signature)
        .map_err(|_| refus("signature invalide : le dossier a été modifié après sa délivrance, il est refusé"))?;
    let (json, pdf) = (piece(JSON)?, piece(PDF)?);
    if manifeste(json, pdf).as_bytes() != manifeste_recu.as_slice() {
        return Err(refus(
            "empreinte différente : une pièce du dossier a été modifiée après sa délivrance, il est refusé",
        ));
    }
    // The key: this installation's, or a département recognised by the operator.
    let propre = cle_publique(cles)?;
    let reconnue = sig.cle_publique == propre
        || std::fs::read_to_string(chemin_cles_reconnues(db)).ok().is_some_and(|t| {
            // A key is recognised for its département only (`CODE CLÉ`).
            t.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|l| {
                let mut m = l.split_whitespace();
                m.next() == Some(sig.departement.as_str())
                    && m.next().is_some_and(|k| k.eq_ignore_ascii_case(&sig.cle_publique))
            })
        });
    if !reconnue {
        return Err(refus(format!(
            "dossier signé par un département que cette installation ne reconnaît pas ({}) : l'opérateur ajoute sa clé publique dans {}",
            sig.departement.chars().take(3).collect::<String>(),
            chemin_cles_reconnues(db).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        )));
    }
    let d: Dossier = serde_json::from_slice(json).map_err(|e| refus(format!("dossier.json illisible : {e}")))?;
    if d.format != FORMAT || d.version != VERSION {
        return Err(refus(format!(
            "format de dossier non pris en charge ({} {}) : attendu {FORMAT} {VERSION}",
            d.format.chars().take(40).collect::<String>(),
            d.version
        )));
    }
    let uai_emetteur = Uai::parse(&d.emetteur.uai).map_err(|_| refus("UAI de l'école d'origine invalide"))?;
    if d.emetteur.departement != sig.departement || uai_emetteur.departement() != sig.departement {
        return Err(refus("le département du dossier n'est pas celui de sa signature"));
    }
    Ok((d, sig.departement))
}

/// A key or signature in hex, of its exact length.
fn decode_hex(s: &str, longueur: usize) -> Option<Vec<u8>> {
    if s.len() == longueur { unhex(s) } else { None }
}

fn date(champ: &'static str, s: &str) -> Result<time::Date> {
    Ok(parse_date(champ, s)?)
}

impl Service<'_> {
    /// Issues the transfer dossier of a pupil radiated from a school of the actor (see the
    /// module): a signed ZIP, journaled before it is handed over.
    pub fn emettre_dossier(&self, engine: &Engine, eleve: &EleveId) -> Result<(String, Vec<u8>)> {
        self.autoriser(Ressource::Echange, Action::Exporter)?;
        let p = &self.acteur.perimetre;
        let (fiche, radiation, ecole, anterieures) = self.store.read(|c| {
            let r = sc::derniere_radiation(c, p, eleve)?.ok_or(store::Error::Introuvable("radiation"))?;
            let f = eleves::fiche(c, p, eleve, r.annee)?;
            let e = territoires::ecole(c, p, &r.ecole_id)?;
            let vu = eleves::voir(c, p, eleve)?;
            let a = store::dossier::lister(c, &vu)?;
            Ok((f, r, e, a))
        })?;
        let certificat =
            self.imprimer(engine, Document::CertificatRadiation, &Cible::Eleve(eleve.clone()), Format::Pdf, &[])?;
        let e = &fiche.eleve;
        // This installation's years, then those an earlier dossier brought.
        let scolarite: Vec<AnneeDossier> = fiche
            .scolarites
            .iter()
            .map(|s| AnneeDossier::de(s.annee, &s.uai, &s.ecole, s.niveau, s.etat, s.date_admission, s.date_sortie))
            .chain(anterieures.iter().map(|s| {
                AnneeDossier::de(s.annee, &s.uai, &s.ecole, s.niveau, s.etat, s.date_admission, s.date_sortie)
            }))
            .collect();
        let dossier = Dossier {
            format: FORMAT.into(),
            version: VERSION,
            emis_le: self.le.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            emetteur: Emetteur {
                departement: ecole.uai.departement().to_string(),
                uai: ecole.uai.to_string(),
                ecole: ecole.nom.clone(),
            },
            eleve: EleveSaisie {
                ine: e.ine.as_ref().map(|i| i.as_str().to_string()),
                ..super::corrections::saisie_eleve(e)
            },
            responsables: fiche
                .responsables
                .iter()
                .map(|r| ResponsableDossier {
                    responsable: super::corrections::saisie_responsable(r).responsable,
                    autorite_parentale: r.autorite_parentale,
                })
                .collect(),
            contacts: fiche.contacts.iter().map(super::corrections::saisie_contact).collect(),
            scolarite,
            radiation: RadiationDossier {
                date: radiation.date.to_string(),
                niveau: radiation.niveau.code().into(),
                motif: radiation.motif.clone(),
                destination: radiation.destination.clone(),
            },
        };
        let json = serde_json::to_vec_pretty(&dossier).map_err(super::erreur_fichier)?;
        let m = manifeste(&json, &certificat.octets);
        let kp = paire(self.cles)?;
        let sig = Signature {
            algorithme: "Ed25519".into(),
            departement: dossier.emetteur.departement.clone(),
            cle_publique: hex(kp.public_key().as_ref()),
            signature: hex(kp.sign(m.as_bytes()).as_ref()),
        };
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (nom, octets) in [
            (JSON, json.as_slice()),
            (PDF, certificat.octets.as_slice()),
            (MANIFESTE, m.as_bytes()),
            (SIGNATURE, &serde_json::to_vec_pretty(&sig).map_err(super::erreur_fichier)?),
        ] {
            z.start_file(nom, opts).map_err(super::erreur_fichier)?;
            z.write_all(octets).map_err(super::erreur_fichier)?;
        }
        let octets = z.finish().map_err(super::erreur_fichier)?.into_inner();
        self.noter(&[Fait::new(Action::Exporter, "dossier_transfert")
            .cible(eleve.to_string())
            .eleve(eleve.to_string())])?;
        Ok((format!("dossier-transfert-{}.zip", super::documents::slug(&format!("{} {}", e.nom, e.prenoms))), octets))
    }

    /// Admits a pupil in a school of the actor from a transfer dossier (see the module): the
    /// INE and the schooling kept, the duplicate search run, the previous school recorded.
    pub fn importer_dossier(&self, ecole: &EcoleId, octets: &[u8], a: &AdmissionDossier) -> Result<Resultat> {
        self.autoriser(Ressource::Echange, Action::Creer)?;
        let p = &self.acteur.perimetre;
        self.store.read(|c| territoires::ecole(c, p, ecole))?;
        let (d, departement) = verifier(self.cles, self.store.path(), octets)?;
        // Signed is not validated: every value goes through the form's rules.
        let (identite, mut avertissements) = d.eleve.valider_lieu_a_completer(self.today())?;
        let responsables =
            d.responsables.iter().map(|r| r.responsable.valider()).collect::<std::result::Result<Vec<_>, _>>()?;
        let contacts = d.contacts.iter().map(ContactSaisie::valider).collect::<std::result::Result<Vec<_>, _>>()?;
        let niveau = match a.niveau {
            Some(n) => n,
            None => Niveau::parse(&d.radiation.niveau).map_err(|e| ChampInvalide::new("niveau", e.to_string()))?,
        };
        let mut annees = Vec::new();
        for s in &d.scolarite {
            annees.push(ScolariteAnterieure {
                annee: AnneeScolaire::new(s.annee).map_err(|e| ChampInvalide::new("scolarité", e.to_string()))?,
                uai: Uai::parse(&s.uai).map_err(crate::domain::Error::from)?,
                ecole: crate::domain::identite::nettoyer("école", &s.ecole, 150)?,
                niveau: Niveau::parse(&s.niveau).map_err(|e| ChampInvalide::new("scolarité", e.to_string()))?,
                etat: EtatScolarite::parse(&s.etat)?,
                date_admission: date("date d'admission", &s.date_admission)?,
                date_sortie: s.date_sortie.as_deref().map(|x| date("date de sortie", x)).transpose()?,
            });
        }
        let radiee_le = date("date de radiation", &d.radiation.date)?;
        let ecole_precedente = format!(
            "{} ({}), département {}",
            crate::domain::identite::nettoyer("école", &d.emetteur.ecole, 150)?,
            Uai::parse(&d.emetteur.uai).map_err(crate::domain::Error::from)?,
            departement.chars().take(3).collect::<String>()
        );
        let autorites: Vec<bool> = d.responsables.iter().map(|r| r.autorite_parentale).collect();
        let r = self.store.ecrire(|tx| {
            let connu = match &identite.ine {
                Some(ine) => store::onde::par_ine(tx, ine)?,
                None => None,
            };
            if let Some(id) = &connu {
                // The INE is national: held here by someone else, the dossier is not this pupil's.
                let (nom, _, _, naissance) = store::onde::identite_courte(tx, id)?;
                if naissance != identite.date_naissance
                    || crate::domain::identite::cle_recherche(&nom)
                        != crate::domain::identite::cle_recherche(identite.nom.as_str())
                {
                    return Err(Error::Conflit(
                        "l'INE du dossier est celui d'un autre élève de cette installation : vérifiez le dossier"
                            .into(),
                    ));
                }
            }
            let nouveau = connu.is_none();
            let eleve = match connu {
                Some(id) => EleveInscrit::Existant(id),
                None => EleveInscrit::Nouveau {
                    identite: Box::new(identite.clone()),
                    responsables: responsables.clone(),
                    contacts: contacts.clone(),
                    confirmer_nouveau: a.confirmer_nouveau,
                },
            };
            let demande = DemandeAdmission {
                origine: Origine::Eleve { eleve, ecole: Some(ecole.clone()) },
                niveau: Some(niveau),
                pieces_manquantes: a.pieces_manquantes.clone(),
                classe: a.classe.clone(),
                ulis: false,
                date: None,
                provenance: None,
            };
            let r = self.admettre_dans(tx, &demande, &mut avertissements)?;
            let id = EleveId::parse(&r.eleve_id).map_err(|_| store::Error::Introuvable("élève"))?;
            let vu = eleves::voir(tx, p, &id)?;
            if nouveau {
                for s in &annees {
                    store::dossier::inserer(tx, &vu, s)?;
                }
                // A parental authority withdrawn by a court stays withdrawn.
                let annee = territoires::annee_courante(tx)?;
                let f = eleves::fiche(tx, p, &id, annee)?;
                for (x, autorite) in f.responsables.iter().zip(&autorites) {
                    if !autorite {
                        stc::modifier_lien(tx, &vu, &x.id, x.personne.lien, false, x.accord_associations)?;
                    }
                }
            }
            sc::noter_provenance(tx, &r.id, &ecole_precedente, Some(radiee_le))?;
            self.journal(
                tx,
                &[Fait::new(Action::Creer, "dossier_transfert").cible(r.id.clone()).eleve(id.to_string()).detail(
                    json!({ "departement": departement.chars().take(3).collect::<String>(), "nouveau": nouveau }),
                )],
            )?;
            Ok::<_, Error>(r)
        })?;
        Ok(Resultat { avertissements, ..r })
    }
}

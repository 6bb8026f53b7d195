//! The receipt of a family's yearly check (`accuse-verification`): what was confirmed, what
//! was sent and what the school decided, block by block. It names the fields changed, never
//! the values (they are the record's once accepted, and not kept once refused).

use serde::Serialize;

use super::{EcoleDoc, EleveDoc, Imprimeur, Result, SignataireDoc, ecole_json, eleve_json, signataire, valeur};
use crate::domain::champs::{ChampAnnuel, ChampEleve, ChampLien, ChampResponsable};
use crate::domain::identite::{date_fr, date_longue};
use crate::domain::verification::{Bloc, EtatBloc};
use crate::domain::{AnneeScolaire, Perimetre};
use crate::store::eleves::{self, FicheEleve};
use crate::store::territoires::EnTete;
use crate::store::verifications as vs;

/// One block as the receipt lists it.
#[derive(Debug, Clone, Serialize)]
struct BlocAccuse {
    titre: String,
    etat: String,
    le: Option<String>,
    par: Option<String>,
    /// The fields whose change was sent (labels, not values), while the school decides.
    champs: Vec<String>,
    motif: Option<String>,
}

/// The data of a receipt.
#[derive(Debug, Clone, Serialize)]
struct Accuse {
    ecole: EcoleDoc,
    annee: String,
    eleve: EleveDoc,
    /// The last day to answer, when the school opened the check online.
    fin: Option<String>,
    etat: &'static str,
    blocs: Vec<BlocAccuse>,
    signataire: SignataireDoc,
    fait_a: String,
    fait_le: String,
}

fn libelle(bloc: Bloc, cle: &str) -> String {
    let l = match bloc {
        Bloc::Eleve => ChampEleve::parse(cle).map(|c| c.libelle()),
        Bloc::Responsable => {
            ChampResponsable::parse(cle).map(|c| c.libelle()).or_else(|| ChampLien::parse(cle).map(|c| c.libelle()))
        }
        Bloc::Annuel => ChampAnnuel::parse(cle).map(|c| c.libelle()),
        Bloc::Contacts => None,
    };
    l.unwrap_or("personnes à contacter").to_string()
}

impl Imprimeur<'_> {
    /// The data of a pupil's receipt: the family sees its own responsable block only.
    pub(super) fn accuse_verification(
        &self,
        f: &FicheEleve,
        t: &EnTete,
        annee: AnneeScolaire,
    ) -> Result<serde_json::Value> {
        let p = self.perimetre;
        let (campagne, reponses) = self.store.read(|c| {
            let vu = eleves::voir(c, p, &f.eleve.id)?;
            // Staff print the check of the school the child attends, if theirs (not one it
            // left: it would read « no answer »); a family, its child's.
            match vs::ecole_courante(c, p, &vu, annee)? {
                Some((e, _, _)) => Ok((vs::campagne(c, &e, annee)?, vs::reponses_eleve(c, &vu, &e, annee)?)),
                None if matches!(p, Perimetre::Responsable(_)) => Ok((None, Vec::new())),
                None => Err(crate::store::Error::Introuvable("élève")),
            }
        })?;
        let moi = match p {
            Perimetre::Responsable(r) => Some(r.clone()),
            _ => None,
        };
        let nom = |id: &crate::domain::ResponsableId| {
            f.responsables
                .iter()
                .find(|r| &r.id == id)
                .map(|r| format!("{} {}", r.personne.prenom, r.personne.nom))
                .unwrap_or_else(|| "un responsable légal".to_string())
        };
        let mut sujets: Vec<(Bloc, String, String)> =
            vec![(Bloc::Eleve, f.eleve.id.to_string(), Bloc::Eleve.titre().to_string())];
        for r in f.responsables.iter().filter(|r| moi.as_ref().is_none_or(|m| m == &r.id)) {
            let titre = format!("Responsable légal : {} {}", r.personne.prenom, r.personne.nom);
            sujets.push((Bloc::Responsable, r.id.to_string(), titre));
        }
        sujets.push((Bloc::Contacts, f.eleve.id.to_string(), Bloc::Contacts.titre().to_string()));
        sujets.push((Bloc::Annuel, f.eleve.id.to_string(), Bloc::Annuel.titre().to_string()));
        // What the printer sees: a family, its own block and the child's, never the other
        // responsable's.
        let reponses: Vec<&vs::Reponse> =
            reponses.iter().filter(|r| sujets.iter().any(|(b, s, _)| *b == r.bloc && *s == r.sujet)).collect();
        let blocs: Vec<BlocAccuse> = sujets
            .into_iter()
            .map(|(bloc, sujet, titre)| {
                let r = reponses.iter().copied().find(|r| r.bloc == bloc && r.sujet == sujet);
                let champs = r
                    .and_then(|r| r.proposition.as_ref())
                    .map(|p| {
                        let mut l: Vec<String> = p.valeurs.keys().map(|k| libelle(bloc, k)).collect();
                        if p.contacts.is_some() {
                            l.push("liste des personnes à contacter".into());
                        }
                        l
                    })
                    .unwrap_or_default();
                BlocAccuse {
                    titre,
                    etat: r.map_or("pas de réponse en ligne", |r| r.etat.libelle()).to_string(),
                    le: r.map(|r| date_fr(r.repondu_le.to_offset(crate::clock::paris_offset(r.repondu_le)).date())),
                    par: r.map(|r| nom(&r.responsable_id)),
                    champs,
                    motif: r.filter(|r| r.etat == EtatBloc::Refuse).and_then(|r| r.motif.clone()),
                }
            })
            .collect();
        use crate::service::verifications::EtatEleve;
        let etat = match EtatEleve::de(&reponses) {
            EtatEleve::NonRepondu => "Aucune réponse en ligne cette année.",
            EtatEleve::ADecider => "Des corrections attendent la décision de l'école.",
            EtatEleve::Verifie => "La fiche est vérifiée pour cette année.",
            EtatEleve::EnCours => "Réponse commencée : des parties restent à vérifier.",
        };
        valeur(&Accuse {
            ecole: ecole_json(t),
            annee: annee.to_string(),
            eleve: eleve_json(&f.eleve),
            fin: campagne.map(|k| date_fr(k.fin)),
            etat,
            blocs,
            signataire: signataire(t),
            fait_a: t.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })
    }
}

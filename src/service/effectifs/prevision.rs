//! Next year's forecast of a school (the prévision): by niveau, this year's pupils moved up,
//! the inscriptions already made and the director's adjustments, validated by the school and
//! gathered for the département.

use super::*;

/// One niveau of a school's forecast, with where it comes from.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct NiveauPrevision {
    /// `TPS`…`CM2`.
    pub niveau: &'static str,
    /// Pupils of this year who will be in this niveau (montée pédagogique, maintiens in place).
    pub montee: u32,
    /// The mairies' inscriptions for next year in this niveau.
    pub inscriptions: u32,
    /// Arrivals the directeur expects.
    pub arrivees: u32,
    /// Departures the directeur expects.
    pub departs: u32,
    /// Why.
    pub justification: Option<String>,
    /// The forecast.
    pub prevision: u32,
}

/// A school's forecast for next year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrevisionEcole {
    /// The year forecast.
    pub annee: String,
    /// The school.
    pub ecole: String,
    /// Per niveau.
    pub niveaux: Vec<NiveauPrevision>,
    /// The forecast total.
    pub total: u32,
    /// Pupils of this year who leave the school (CM2 to the collège, GS of a maternelle,
    /// departures recorded).
    pub sorties: u32,
    /// The validated forecast's total, if any, and when.
    pub validee: Option<(u32, String)>,
}

/// The forecast of each school of the perimeter for the year after `annee`.
pub(super) fn calculer_prevision(
    c: &crate::store::Lecture,
    p: &Perimetre,
    annee: AnneeScolaire,
) -> crate::store::Result<std::collections::HashMap<EcoleId, (Vec<NiveauPrevision>, u32)>> {
    use crate::store::prevision as sp;
    let suivante = annee.suivante();
    let mut out: std::collections::HashMap<EcoleId, (Vec<NiveauPrevision>, u32)> = std::collections::HashMap::new();
    let vide = || {
        (
            Niveau::ALL.iter().map(|n| NiveauPrevision { niveau: n.code(), ..Default::default() }).collect::<Vec<_>>(),
            0u32,
        )
    };
    let idx = |n: Niveau| Niveau::ALL.iter().position(|x| *x == n).unwrap_or(0);
    for e in sc::ecoles(c, p)? {
        out.insert(e.id, vide());
    }
    // A pupil counted in the montée is not counted again through an inscription for next year.
    let mut comptes = std::collections::HashSet::new();
    for pr in sp::presents(c, p, annee)? {
        let passage = pr
            .passage
            .as_deref()
            .and_then(|t| crate::domain::parcours::TypePassage::parse(t).ok())
            .unwrap_or(crate::domain::parcours::TypePassage::Passage);
        let e = out.entry(pr.ecole.clone()).or_insert_with(vide);
        match constat::montee(pr.niveau, passage, pr.quitte, pr.type_ecole) {
            Some(n) => {
                e.0[idx(n)].montee += 1;
                comptes.insert(pr.eleve);
            }
            None => e.1 += 1,
        }
    }
    for (eleve, ecole, n) in sp::inscriptions(c, p, suivante)? {
        if !comptes.contains(&eleve) {
            out.entry(ecole).or_insert_with(vide).0[idx(n)].inscriptions += 1;
        }
    }
    for (ecole, a) in sp::ajustements(c, p, suivante)? {
        let e = out.entry(ecole).or_insert_with(vide);
        for (n, a) in a {
            let x = &mut e.0[idx(n)];
            x.arrivees = a.arrivees;
            x.departs = a.departs;
            x.justification = a.justification;
        }
    }
    for (niveaux, _) in out.values_mut() {
        for x in niveaux.iter_mut() {
            x.prevision = (x.montee + x.inscriptions + x.arrivees).saturating_sub(x.departs);
        }
    }
    Ok(out)
}

pub(super) fn effectifs_de(niveaux: &[NiveauPrevision]) -> Effectifs {
    let mut e = Effectifs::vide();
    for (n, x) in Niveau::ALL.iter().zip(niveaux) {
        e.niveaux.entry(*n).or_default().eleves = x.prevision;
    }
    e
}

impl Service<'_> {
    /// A school's forecast for next year (journaled: counts of a school's pupils).
    pub fn prevision_ecole(&self, ecole: &EcoleId) -> Result<PrevisionEcole> {
        let p = self.calculer_prevision_ecole(ecole)?;
        self.noter(&[Fait::new(Action::Lire, "prevision")
            .cible(ecole.to_string())
            .detail(json!({ "annee": p.annee }))])?;
        Ok(p)
    }

    fn calculer_prevision_ecole(&self, ecole: &EcoleId) -> Result<PrevisionEcole> {
        self.autoriser(Ressource::Constat, Action::Lire)?;
        let (annee, nom, calc, validee) = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let e = territoires::ecole(c, &self.acteur.perimetre, ecole)?;
            let p = Perimetre::Ecole(ecole.clone());
            let calc = calculer_prevision(c, &p, annee)?.remove(ecole);
            let validee = crate::store::prevision::validees(c, &p, annee.suivante())?.remove(ecole);
            Ok((annee, e.nom, calc, validee))
        })?;
        let (niveaux, sorties) = calc.unwrap_or_default();
        Ok(PrevisionEcole {
            annee: annee.suivante().to_string(),
            ecole: nom,
            total: niveaux.iter().map(|x| x.prevision).sum(),
            niveaux,
            sorties,
            validee: validee.map(|(le, v)| (v.values().sum(), date(le))),
        })
    }

    /// The directeur adjusts a niveau of next year's forecast (arrivals, departures, why).
    pub fn ajuster_prevision(
        &self,
        ecole: &EcoleId,
        niveau: Niveau,
        arrivees: u32,
        departs: u32,
        justification: Option<&str>,
    ) -> Result<PrevisionEcole> {
        self.enregistrer_prevision(ecole, &[(niveau, arrivees, departs, justification.map(str::to_string))], false)
    }

    /// The directeur's adjustments of several niveaux, and the validation if asked, in one
    /// transaction: all or nothing (the form of the school's forecast page).
    pub fn enregistrer_prevision(
        &self,
        ecole: &EcoleId,
        lignes: &[(Niveau, u32, u32, Option<String>)],
        valider: bool,
    ) -> Result<PrevisionEcole> {
        self.autoriser(Ressource::Constat, Action::Modifier)?;
        // The perimeter first: another school's is « introuvable », whatever the body says.
        self.store.read(|c| territoires::ecole(c, &self.acteur.perimetre, ecole))?;
        // Every line checked, every refusal reported (keys `CP.justification`…).
        let mut er = crate::domain::Erreurs::default();
        let mut justes = Vec::new();
        for (niveau, arrivees, departs, justification) in lignes {
            let c = niveau.code();
            if *arrivees > 500 {
                er.ajouter(
                    &format!("{c}.arrivees"),
                    crate::domain::ChampInvalide::new("arrivées", format!("au plus 500 en {c}")).into(),
                );
            }
            if *departs > 500 {
                er.ajouter(
                    &format!("{c}.departs"),
                    crate::domain::ChampInvalide::new("départs", format!("au plus 500 en {c}")).into(),
                );
            }
            let justification = er.garder(
                &format!("{c}.justification"),
                crate::domain::identite::nettoyer_facultatif("justification", justification.as_deref(), 200).and_then(
                    |j| {
                        if (*arrivees > 0 || *departs > 0) && j.is_none() {
                            Err(crate::domain::ChampInvalide::new(
                                "justification",
                                format!(
                                    "indiquez pourquoi vous ajustez le niveau {c} (sur l'école, jamais sur un élève)"
                                ),
                            ))
                        } else {
                            Ok(j)
                        }
                    },
                ),
            );
            justes.push((*niveau, *arrivees, *departs, justification));
        }
        er.finir()?;
        self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            // The perimeter first: another school's is « introuvable », whatever the body says.
            territoires::ecole(tx, &self.acteur.perimetre, ecole)?;
            let mut faits = Vec::new();
            for (niveau, arrivees, departs, justification) in &justes {
                let justification = crate::domain::tenu(justification.clone(), "justification")?;
                let a = crate::store::prevision::Ajustement { arrivees: *arrivees, departs: *departs, justification };
                crate::store::prevision::poser_ajustement(tx, ecole, annee.suivante(), *niveau, &a, self.le)?;
                faits.push(json!({ "niveau": niveau.code(), "arrivees": arrivees, "departs": departs }));
            }
            let mut detail = json!({ "annee": annee.suivante().to_string(), "ajustements": faits });
            if valider {
                let p = Perimetre::Ecole(ecole.clone());
                let (niveaux, _) = calculer_prevision(tx, &p, annee)?.remove(ecole).unwrap_or_default();
                let m: std::collections::BTreeMap<Niveau, u32> =
                    Niveau::ALL.iter().zip(&niveaux).map(|(n, x)| (*n, x.prevision)).collect();
                crate::store::prevision::valider(tx, ecole, annee.suivante(), &m, self.le)?;
                detail["validation"] = json!(true);
                detail["total"] = json!(m.values().sum::<u32>());
            }
            self.journal(tx, &[Fait::new(Action::Modifier, "prevision").cible(ecole.to_string()).detail(detail)])?;
            Ok::<_, Error>(())
        })?;
        self.prevision_ecole(ecole)
    }

    /// The directeur validates the school's forecast (the next one is compared with it).
    pub fn valider_prevision(&self, ecole: &EcoleId) -> Result<PrevisionEcole> {
        self.enregistrer_prevision(ecole, &[], true)
    }

    /// The forecast of the actor's territory for next year, consolidated like the constat:
    /// « Évolution » is the gap to the previous validated forecast.
    pub fn rapport_prevision(&self) -> Result<Rapport> {
        self.autoriser(Ressource::Constat, Action::Lire)?;
        let p = self.acteur.perimetre.clone();
        let par_circonscription =
            matches!(p, Perimetre::Departement(_) | Perimetre::Academie(_) | Perimetre::Installation);
        let (annee, ecoles, calc, validees, territoire) = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            Ok((
                annee,
                sc::ecoles(c, &p)?,
                calculer_prevision(c, &p, annee)?,
                crate::store::prevision::validees(c, &p, annee.suivante())?,
                territoires::nom_perimetre(c, &p)?.unwrap_or_default(),
            ))
        })?;
        let (groupes, total, non_valides) = assembler(
            &ecoles,
            par_circonscription,
            |e| match validees.get(&e.id) {
                // What was validated, as the constat does.
                Some((le, v)) => {
                    let mut eff = Effectifs::vide();
                    for (n, k) in v {
                        eff.niveaux.entry(*n).or_default().eleves = *k;
                    }
                    (eff, format!("validée le {}", date(*le)), true)
                }
                None => (
                    calc.get(&e.id).map(|(n, _)| effectifs_de(n)).unwrap_or_else(Effectifs::vide),
                    "non validée".into(),
                    false,
                ),
            },
            |id| validees.get(id).map(|(_, v)| v.values().sum()),
        );
        self.noter(&[Fait::new(Action::Lire, "prevision").detail(json!({ "annee": annee.suivante().to_string() }))])?;
        Ok(Rapport {
            titre: "Prévision des effectifs".into(),
            annee: annee.suivante().to_string(),
            territoire,
            groupes_par: if par_circonscription { "circonscription" } else { "commune" },
            niveaux: Niveau::ALL.iter().map(|n| n.code()).collect(),
            total,
            groupes,
            non_valides,
            campagne: format!("montée pédagogique de {annee}, inscriptions des mairies et ajustements des écoles"),
            campagne_ouverte: false,
            tendance: Vec::new(),
            evolution: "écart à la dernière prévision validée",
            fait_le: crate::domain::identite::date_fr(self.today()),
        })
    }
}

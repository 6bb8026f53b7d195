//! The school year of a pupil once admitted, as services: répartition in classes, the passage
//! procedure (proposal, the family's answer, decision, appeal, commission), leaving at the end of
//! the year, radiation, the rentrée, and the retention rules. Like every use case, each step
//! reads within the actor's perimeter, applies the domain transition and journals in the same
//! transaction; a refused step changes nothing.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use time::{Date, Month, OffsetDateTime};

use super::parcours::Resultat;
use super::{Error, Result, Service};
use crate::audit::{self, Fait};
use crate::auth::Interdit;
use crate::config::Cles;
use crate::domain::identite::date_fr;
use crate::domain::parcours::{MotifRadiation, Passage, Refus, Reponse, TypePassage};
use crate::domain::{AnneeScolaire, ClasseId, Ecart, EcoleId, EleveId, Niveau, Perimetre};
use crate::policy::{Action, Ressource};
use crate::store::Ecriture as Transaction;
use crate::store::parcours::{self as sc, Fiche, type_ecole as ecole_type};
use crate::store::{self, Store, classes, eleves, territoires};

impl Service<'_> {
    /// This year's passage procedure of a pupil of the perimeter.
    pub fn passage(&self, id: &EleveId) -> Result<Passage> {
        self.autoriser(Ressource::Passage, Action::Lire)?;
        let p = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let vu = eleves::voir(c, &self.acteur.perimetre, id)?;
            sc::passage(c, &vu, annee)
        })?;
        self.noter(&[Fait::new(Action::Lire, "passage").eleve(id.to_string())])?;
        Ok(p)
    }

    /// This year's schooling record of a pupil of the perimeter, with its passage procedure
    /// when the role may see it: what the pupil's page offers to do. Read with the record
    /// itself, whose consultation is journaled ([`Service::eleve`]); `None` when the pupil
    /// has no record this year in the perimeter.
    pub fn demarches(&self, eleve: &EleveId, annee: AnneeScolaire) -> Result<Option<(Fiche, Option<Passage>)>> {
        self.autoriser(Ressource::Eleve, Action::Lire)?;
        let voir_passage = self.acteur.decision(Ressource::Passage, Action::Lire).autorise();
        Ok(self.store.read(|c| match sc::fiche(c, &self.acteur.perimetre, eleve, annee) {
            Ok(f) => {
                let p = if voir_passage { Some(sc::passage(c, &f.vu, annee)?) } else { None };
                Ok(Some((f, p)))
            }
            Err(store::Error::Introuvable(_)) => Ok(None),
            Err(e) => Err(e),
        })?)
    }

    /// The passage procedures of the pupils attending a class of the perimeter, by pupil id.
    pub fn passages_de_classe(&self, classe: &ClasseId) -> Result<BTreeMap<String, Passage>> {
        self.autoriser(Ressource::Passage, Action::Lire)?;
        let p = &self.acteur.perimetre;
        let m: BTreeMap<String, Passage> = self.store.read(|c| {
            let k = classes::classe(c, p, classe)?;
            sc::fiches_classe(c, p, classe)?
                .into_iter()
                .map(|f| Ok((f.eleve_id.to_string(), sc::passage(c, &f.vu, k.annee)?)))
                .collect::<store::Result<_>>()
        })?;
        let fait = Fait::new(Action::Lister, "passage").cible(classe.to_string()).detail(json!({ "nombre": m.len() }));
        self.noter(&[fait])?;
        Ok(m)
    }

    /// Creates a class of the current year in the actor's school.
    pub fn creer_classe(
        &self,
        ecole: &EcoleId,
        libelle: &str,
        niveaux: &[Niveau],
        enseignant: Option<&str>,
    ) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        // Every field checked, every refusal reported (a form shows each beside its field).
        let mut er = crate::domain::Erreurs::default();
        let libelle = er.garder(
            "libelle",
            crate::domain::identite::nettoyer("libellé de la classe", libelle, 40).and_then(|l| {
                if l.is_empty() {
                    Err(crate::domain::ChampInvalide::new("libellé de la classe", "obligatoire"))
                } else {
                    Ok(l)
                }
            }),
        );
        let enseignant =
            er.garder("enseignant", crate::domain::identite::nettoyer_facultatif("enseignant", enseignant, 100));
        if niveaux.is_empty() {
            er.ajouter(
                "niveaux",
                crate::domain::ChampInvalide::new("niveaux", "cochez au moins un niveau pour la classe").into(),
            );
        }
        er.finir()?;
        let libelle = crate::domain::tenu(libelle, "libelle")?;
        let enseignant = crate::domain::tenu(enseignant, "enseignant")?;
        self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            let e = territoires::ecole(tx, &self.acteur.perimetre, ecole)?;
            if let Some(n) = niveaux.iter().find(|n| !e.type_ecole.admet(**n)) {
                return Err(Error::Transition(format!("une {} n'accueille pas le niveau {n}", e.type_ecole.libelle())));
            }
            let id = ClasseId::random(&mut rand::rng());
            classes::insert_classe(tx, &id, ecole, annee, &libelle, niveaux, enseignant.as_deref())?;
            self.journal(tx, &[Fait::new(Action::Creer, "classe").cible(id.to_string())])?;
            Ok(Resultat { id: id.to_string(), ..Default::default() })
        })
    }

    /// Places pupils in a class (or moves them there), all or none; warns when a pupil is more
    /// than one year off the niveau expected for their age.
    pub fn placer(&self, classe: &ClasseId, eleves_ids: &[EleveId]) -> Result<Vec<String>> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let k = classes::classe(tx, &self.acteur.perimetre, classe)?;
            let mut avertissements = Vec::new();
            let mut faits = Vec::new();
            for eleve in eleves_ids {
                let f = sc::fiche(tx, &self.acteur.perimetre, eleve, k.annee)?;
                f.etat.exiger_present()?;
                if f.ecole_id != k.ecole_id {
                    return Err(Error::Transition("la classe n'est pas de l'école de l'élève".into()));
                }
                if !sc::classe_accueille(tx, classe, &f.ecole_id, k.annee, f.niveau)? {
                    return Err(Error::Transition(format!(
                        "la classe « {} » n'a pas le niveau {} de l'élève",
                        k.libelle, f.niveau
                    )));
                }
                if let Some(a) = Ecart::evaluer(f.niveau, f.date_naissance.year(), k.annee).avertissement(f.niveau) {
                    avertissements.push(format!("{} : {a}", sc::nom_complet(tx, &f.vu)?));
                }
                sc::placer(tx, &f.id, Some(classe))?;
                faits.push(
                    Fait::new(Action::Modifier, "scolarite")
                        .cible(f.id.clone())
                        .eleve(eleve.to_string())
                        .detail(json!({ "classe": classe })),
                );
            }
            self.journal(tx, &faits)?;
            Ok(avertissements)
        })
    }

    /// Proposes passages for every pupil of a class: `defaut` for all, `exceptions` for some.
    pub fn proposer_classe(
        &self,
        classe: &ClasseId,
        defaut: TypePassage,
        exceptions: &BTreeMap<EleveId, TypePassage>,
    ) -> Result<usize> {
        self.autoriser(Ressource::Passage, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let k = classes::classe(tx, &self.acteur.perimetre, classe)?;
            let fiches = sc::fiches_classe(tx, &self.acteur.perimetre, classe)?;
            if let Some(e) = exceptions.keys().find(|e| !fiches.iter().any(|f| &f.eleve_id == *e)) {
                return Err(Error::Transition(format!("l'élève {e} n'est pas dans la classe « {} »", k.libelle)));
            }
            let mut faits = Vec::new();
            for f in &fiches {
                let t = exceptions.get(&f.eleve_id).copied().unwrap_or(defaut);
                let p = sc::passage(tx, &f.vu, k.annee)?.proposer(t, today)?;
                sc::enregistrer_passage(tx, &f.vu, k.annee, &p)?;
                faits.push(
                    Fait::new(Action::Modifier, "passage")
                        .cible(f.id.clone())
                        .eleve(f.eleve_id.to_string())
                        .detail(json!({ "proposition": t.code() })),
                );
            }
            self.journal(tx, &faits)?;
            Ok(fiches.len())
        })
    }

    fn passage_step(
        &self,
        eleve: &EleveId,
        ressource: Ressource,
        quoi: &str,
        f: impl Fn(&Passage, Date) -> std::result::Result<Passage, Refus>,
    ) -> Result<Passage> {
        self.autoriser(ressource, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let fiche = self.fiche(tx, eleve)?;
            fiche.etat.exiger_present()?;
            let p = f(&sc::passage(tx, &fiche.vu, fiche.annee)?, today)?;
            sc::enregistrer_passage(tx, &fiche.vu, fiche.annee, &p)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "passage")
                    .cible(fiche.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "etape": quoi }))],
            )?;
            Ok(p)
        })
    }

    /// Proposes a passage for one pupil.
    pub fn proposer(&self, eleve: &EleveId, t: TypePassage) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "proposition", |p, d| p.proposer(t, d))
    }

    /// Records the family's answer (the school from the paper slip, or the family online).
    pub fn repondre(&self, eleve: &EleveId, r: Reponse) -> Result<Passage> {
        self.passage_step(eleve, Ressource::ReponseFamille, "reponse", |p, d| p.repondre(r, d))
    }

    /// Decides for one pupil.
    pub fn decider(&self, eleve: &EleveId, t: TypePassage) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "decision", |p, d| p.decider(t, d))
    }

    /// Decides for every pupil of a class whose family accepted (or let 15 days pass): the
    /// decision is the proposal. Contested proposals are left for an individual decision.
    pub fn decider_classe(&self, classe: &ClasseId) -> Result<(usize, Vec<String>)> {
        self.autoriser(Ressource::Passage, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let k = classes::classe(tx, &self.acteur.perimetre, classe)?;
            let mut n = 0;
            let mut restent = Vec::new();
            let mut faits = Vec::new();
            for f in sc::fiches_classe(tx, &self.acteur.perimetre, classe)? {
                let p = sc::passage(tx, &f.vu, k.annee)?;
                let nom = sc::nom_complet(tx, &f.vu)?;
                match (p.proposition, p.decision, p.position_famille(today)) {
                    (_, Some(_), _) => {}
                    (Some((t, _)), None, Some(Reponse::Accepte)) => {
                        sc::enregistrer_passage(tx, &f.vu, k.annee, &p.decider(t, today)?)?;
                        faits.push(
                            Fait::new(Action::Modifier, "passage")
                                .cible(f.id.clone())
                                .eleve(f.eleve_id.to_string())
                                .detail(json!({ "decision": t.code() })),
                        );
                        n += 1;
                    }
                    (None, _, _) => restent.push(format!("{nom} : aucune proposition")),
                    (Some(_), None, Some(Reponse::Conteste)) => {
                        restent.push(format!("{nom} : la famille conteste, décision individuelle"))
                    }
                    (Some(_), None, None) => restent.push(format!(
                        "{nom} : la famille peut répondre jusqu'au {}",
                        p.limite_reponse().map(date_fr).unwrap_or_default()
                    )),
                }
            }
            self.journal(tx, &faits)?;
            Ok((n, restent))
        })
    }

    /// The family appeals the decision (recorded by the school).
    pub fn former_recours(&self, eleve: &EleveId) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "recours", |p, d| p.former_recours(d))
    }

    /// The departmental commission's ruling (recorded by the school).
    pub fn trancher(&self, eleve: &EleveId, t: TypePassage) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "commission", |p, d| p.trancher(t, d))
    }

    /// Marks a pupil as leaving the school at the end of the year ("quitte l'école").
    pub fn quitter(&self, eleve: &EleveId, quitte: bool, destination: Option<&str>) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let f = self.fiche(tx, eleve)?;
            f.etat.exiger_present()?;
            sc::marquer_quitte(tx, &f.id, quitte, destination)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "scolarite")
                    .cible(f.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "quitte": quitte }))],
            )?;
            Ok(Resultat { id: f.id, eleve_id: eleve.to_string(), avertissements: vec![] })
        })
    }

    /// Radiates a pupil: motive, effective date, destination. The history is kept.
    pub fn radier(
        &self,
        eleve: &EleveId,
        motif: MotifRadiation,
        date: Date,
        destination: Option<&str>,
    ) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let f = self.fiche(tx, eleve)?;
            let etat = self.controle_radiation(&f, date)?;
            sc::sortir(tx, &f.id, etat, date, motif.code(), destination)?;
            if motif.quitte_le_premier_degre() {
                sc::noter_sortie_premier_degre(tx, &f.vu, date)?;
            }
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "scolarite")
                    .cible(f.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "radiation": motif.code() }))],
            )?;
            Ok(Resultat { id: f.id, eleve_id: eleve.to_string(), avertissements: vec![] })
        })
    }

    /// Checks a radiation before the page asks to confirm it: the rules of [`Self::radier`],
    /// nothing written.
    pub fn verifier_radiation(&self, eleve: &EleveId, date: Date) -> Result<()> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        // No journal row here: the confirmation page that follows reads the record through
        // `eleve`, which journals it. A rolled-back write transaction, since `fiche` reads
        // within one (as the radiation itself will).
        self.store.essayer(|tx| {
            let f = self.fiche(tx, eleve)?;
            self.controle_radiation(&f, date).map(drop)
        })
    }

    /// The radiation's state change, and its date within the rules: not before the admission,
    /// at most two months ahead (a refusal of the `date` field).
    fn controle_radiation(&self, f: &Fiche, date: Date) -> Result<crate::domain::EtatScolarite> {
        let date_refusee = |message: String| {
            Error::from(crate::domain::Error::Champs(vec![crate::domain::ErreurChamp {
                champ: "date".into(),
                message,
            }]))
        };
        if date > self.today() + time::Duration::days(62) {
            return Err(date_refusee("date d'effet : deux mois au plus dans le futur".into()));
        }
        let etat = f.etat.radier()?;
        if date < f.date_admission {
            return Err(date_refusee(format!(
                "date d'effet : la radiation ne peut précéder l'admission du {}",
                date_fr(f.date_admission)
            )));
        }
        Ok(etat)
    }

    fn controle_annulation(&self, c: &store::Lecture, f: &Fiche) -> Result<()> {
        if f.etat != crate::domain::EtatScolarite::Radie {
            return Err(Error::Transition("l'élève n'est pas radié".into()));
        }
        let (auteur, le) = store::journal::radiation(c, &f.id)?.ok_or_else(|| {
            Error::Transition("cette radiation n'est pas au journal : elle ne s'annule pas ici".into())
        })?;
        let le = OffsetDateTime::parse(&le, &time::format_description::well_known::Rfc3339)
            .map_err(|_| store::Error::Corrompue("date du journal".into()))?;
        let jour = le.to_offset(crate::clock::paris_offset(le)).date();
        let ailleurs = sc::ecole_frequentee(c, &f.eleve_id, f.annee)?.is_some();
        crate::policy::annulation_radiation_possible(&auteur, jour, &self.acteur.auteur.id, self.today(), ailleurs)
            .map_err(Error::Transition)
    }

    /// Whether the actor may cancel the pupil's radiation now (the page offers it only then).
    pub fn radiation_annulable(&self, eleve: &EleveId) -> Result<bool> {
        if !self.acteur.decision(Ressource::Eleve, Action::Modifier).autorise() {
            return Ok(false);
        }
        Ok(self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let Ok(f) = sc::fiche(c, &self.acteur.perimetre, eleve, annee) else { return Ok(false) };
            Ok(self.controle_annulation(c, &f).is_ok())
        })?)
    }

    /// Cancels a radiation entered by mistake: by its author, on the day it was entered, while
    /// the pupil has not been admitted elsewhere. The pupil attends again (provisionally if papers
    /// are missing), the certificat de radiation issued no longer verifies; journaled.
    pub fn annuler_radiation(&self, eleve: &EleveId) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let f = self.fiche(tx, eleve)?;
            self.controle_annulation(tx, &f)?;
            let etat = f.etat.annuler_radiation(!f.pieces.is_empty())?;
            let r = sc::derniere_radiation(tx, &self.acteur.perimetre, eleve)?;
            let premier_degre = r
                .and_then(|r| r.motif)
                .and_then(|m| MotifRadiation::parse(&m).ok())
                .is_some_and(MotifRadiation::quitte_le_premier_degre);
            sc::annuler_sortie(tx, &f.vu, &f.id, etat, premier_degre)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "scolarite")
                    .cible(f.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "radiation_annulee": true }))],
            )?;
            Ok(Resultat { id: f.id, eleve_id: eleve.to_string(), avertissements: vec![] })
        })
    }

    /// The rentrée of the actor's département (every département for the operator): closes the
    /// year and opens the next. Passages are applied, CM2 pupils leave primary school, pupils
    /// marked as leaving leave, everyone else awaits répartition in the next niveau. Refuses to
    /// run twice, and before 1 July.
    pub fn rentree(&self) -> Result<Rentree> {
        self.autoriser(Ressource::Annee, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let deps = match &self.acteur.perimetre {
                Perimetre::Departement(d) => vec![d.clone()],
                Perimetre::Installation => sc::departements(tx)?,
                _ => return Err(Error::Interdit(Interdit::Role)),
            };
            let ouverte = territoires::annee_courante(tx)?;
            let precedente = ouverte.precedente();
            // Another département may have opened the year already: then this one closes the previous.
            let mut annee = ouverte;
            if sc::annee_existe(tx, precedente)? {
                let reste = deps
                    .iter()
                    .map(|d| {
                        Ok(!sc::rentree_faite(tx, d, precedente)?
                            && !sc::fiches_departement(tx, precedente, d)?.is_empty())
                    })
                    .collect::<store::Result<Vec<bool>>>()?;
                if reste.iter().any(|r| *r) {
                    annee = precedente;
                }
            }
            let suivante = annee.suivante();
            if deps
                .iter()
                .map(|d| sc::rentree_faite(tx, d, annee))
                .collect::<store::Result<Vec<bool>>>()?
                .iter()
                .all(|f| *f)
            {
                return Err(Error::Transition(format!("la rentrée {suivante} est déjà faite")));
            }
            if annee == ouverte {
                let fin = Date::from_calendar_date(annee.debut() + 1, Month::July, 1).unwrap_or(Date::MAX);
                if today < fin {
                    let deja = deps
                        .iter()
                        .map(|d| sc::rentree_faite(tx, d, precedente))
                        .collect::<store::Result<Vec<bool>>>()?
                        .iter()
                        .all(|f| *f)
                        && sc::annee_existe(tx, precedente)?;
                    return Err(Error::Transition(if deja {
                        format!(
                            "la rentrée {ouverte} est déjà faite ; la suivante se fera à partir du {}",
                            date_fr(fin)
                        )
                    } else {
                        format!("l'année {annee} n'est pas finie : la rentrée se prépare à partir du {}", date_fr(fin))
                    }));
                }
                // The next year must exist before its records are written.
                sc::basculer_annee(tx, annee)?;
            }
            let mut bilan = Rentree { annee: annee.to_string(), suivante: suivante.to_string(), ..Default::default() };
            for dep in &deps {
                if sc::rentree_faite(tx, dep, annee)? {
                    continue;
                }
                for f in &sc::fiches_departement(tx, annee, dep)? {
                    self.reconduire(tx, f, today, &mut bilan)?;
                }
                sc::noter_rentree(tx, dep, annee, today)?;
            }
            // End of the year: autorisations, insurance and périscolaire are cleared.
            sc::effacer_annuel(tx, suivante)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "annee")
                    .cible(annee.to_string())
                    .detail(serde_json::to_value(&bilan).unwrap_or_default())],
            )?;
            Ok(bilan)
        })
    }

    fn reconduire(&self, tx: &Transaction<'_>, f: &Fiche, today: Date, bilan: &mut Rentree) -> Result<()> {
        if f.quitte {
            sc::sortir(tx, &f.id, f.etat.partir()?, today, "fin_d_annee", None)?;
            bilan.partis += 1;
            return Ok(());
        }
        let t = sc::passage(tx, &f.vu, f.annee)?.applicable(today);
        match t {
            TypePassage::Passage => bilan.passages += 1,
            TypePassage::Maintien => bilan.maintiens += 1,
            TypePassage::Anticipe => bilan.anticipes += 1,
        }
        match t.niveau_suivant(f.niveau) {
            None => {
                sc::sortir(tx, &f.id, f.etat.partir()?, today, "fin_scolarite_primaire", Some("collège (6e)"))?;
                sc::noter_sortie_premier_degre(tx, &f.vu, today)?;
                bilan.sortants_cm2 += 1;
            }
            Some(n) if !ecole_type(tx, &f.ecole_id)?.admet(n) => {
                // Leaving the école maternelle for CP: the élémentaire admits the pupil, who
                // keeps the INE and history (duplicate search).
                sc::sortir(tx, &f.id, f.etat.partir()?, today, "fin_d_annee", Some("école élémentaire (CP)"))?;
                bilan.sortants_maternelle += 1;
            }
            Some(n) => {
                sc::reconduire(tx, &crate::domain::ids::random_id(&mut rand::rng()), f, n)?;
                sc::sortir(tx, &f.id, f.etat, today, "fin_d_annee", None)?;
                bilan.reconduits += 1;
            }
        }
        Ok(())
    }
}

/// What the rentrée did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Rentree {
    /// The year closed.
    pub annee: String,
    /// The year opened.
    pub suivante: String,
    /// Pupils continuing in the same school (awaiting répartition).
    pub reconduits: u32,
    /// Passages applied.
    pub passages: u32,
    /// Maintiens applied.
    pub maintiens: u32,
    /// Passages anticipés applied.
    pub anticipes: u32,
    /// CM2 pupils leaving primary school.
    pub sortants_cm2: u32,
    /// GS pupils leaving an école maternelle.
    pub sortants_maternelle: u32,
    /// Pupils marked as leaving the school.
    pub partis: u32,
}

/// What the retention purge did, or would do (dry run).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Purge {
    /// Pupils erased (or to erase).
    pub eleves: usize,
    /// Responsables' accounts erased with their last child.
    pub comptes: usize,
    /// Responsables left without a pupil, erased.
    pub responsables: usize,
    /// Yearly autorisations, insurance and périscolaire of past years cleared.
    pub annuel: usize,
    /// Whether nothing was changed.
    pub essai: bool,
}

/// Applies the retention rules of docs/domaine.md §4 as of `le`: past years' autorisations, insurance
/// and périscolaire; pupils whose retention ended (31 December of the year they left primary
/// school). Idempotent; journaled; a dry run changes nothing. The freed pages are overwritten
/// (`secure_delete`) and the WAL is truncated, so no trace stays in the files.
pub fn purger(
    store: &Store,
    cles: &Cles,
    auteur: &audit::Auteur,
    le: OffsetDateTime,
    essai: bool,
) -> store::Result<Purge> {
    let today = le.to_offset(crate::clock::paris_offset(le)).date();
    let r = store.ecrire(|tx| {
        let annee = territoires::annee_courante(tx)?;
        let ids = sc::a_effacer(tx, today)?;
        let mut r = Purge { eleves: ids.len(), essai, ..Default::default() };
        if essai {
            r.annuel = sc::compter_annuel_passe(tx, annee)?;
            return Ok::<_, crate::store::Error>(r);
        }
        r.annuel = sc::effacer_annuel_passe(tx, annee)?;
        for id in &ids {
            sc::effacer(tx, id)?;
        }
        r.comptes = sc::comptes_orphelins(tx)?;
        r.responsables = sc::responsables_orphelins(tx)?;
        audit::ajouter(
            tx,
            cles,
            auteur,
            le,
            &[Fait::new(Action::Supprimer, "conservation").detail(serde_json::to_value(&r).unwrap_or_default())],
        )?;
        Ok(r)
    })?;
    if !essai {
        store.checkpoint()?;
    }
    Ok(r)
}

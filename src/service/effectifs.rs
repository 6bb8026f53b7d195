//! The constat des effectifs as use cases: the IA-DASEN opens and closes the
//! département's campaign; each directeur computes, checks and validates the school's constat
//! while it is open (validated, it is frozen; validating again replaces it, journaled); the
//! IEN and the IA-DASEN read the report — one line per school, subtotals per commune (IEN) or
//! per circonscription (IA-DASEN), the total, the change against last year's validated
//! constat, the schools not validated yet — as a page, JSON, CSV, XLSX or PDF. The same
//! [`Rapport`] feeds every format, so their numbers are the same.
//!
//! A school not yet validated is reported with its counts of today, marked « non validé »;
//! a validated one with what was validated.

use serde::Serialize;
use serde_json::json;

use super::{Error, Result, Service};
use crate::audit::Fait;
use crate::domain::constat::{self, Effectifs, variation, variation_texte};
use crate::domain::{AnneeScolaire, DepartementId, EcoleId, Niveau, Perimetre};
use crate::policy::{Action, Ressource, Role};
use crate::store::constat as sc;
use crate::store::territoires;

/// One line of the report (a school, a subtotal or the total).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ligne {
    /// The school's id (none for a subtotal).
    pub ecole_id: Option<String>,
    /// UAI (none for a subtotal).
    pub uai: Option<String>,
    /// « École … », « Sous-total Kervalan », « Total ».
    pub libelle: String,
    /// Commune.
    pub commune: Option<String>,
    /// « validé le 02/12/2026 », « non validé », or none for a subtotal.
    pub etat: Option<String>,
    /// Whether validated (a school line).
    pub valide: bool,
    /// Pupils per niveau (`TPS`…`CM2`), in order.
    pub niveaux: Vec<u32>,
    /// Classes per niveau, in order.
    pub classes_niveaux: Vec<u32>,
    /// ULIS.
    pub ulis: u32,
    /// Total.
    pub total: u32,
    /// Maternelle (TPS…GS).
    pub maternelle: u32,
    /// Élémentaire (CP…CM2).
    pub elementaire: u32,
    /// Classes.
    pub classes: u32,
    /// Pupils per class.
    pub moyenne: Option<f64>,
    /// Change against last year's validated constat (`+3`, `−2`, `=`, `—`).
    pub variation: String,
    /// Pupils without an INE (not counted).
    pub sans_ine: u32,
    /// The constat only: the gap to the forecast validated last year for this year
    /// (`+3`, `−2`, `=`, `—`).
    pub ecart_prevision: String,
}

/// A group of schools (a commune for the IEN, a circonscription for the IA-DASEN).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Groupe {
    /// Its name.
    pub nom: String,
    /// The schools.
    pub ecoles: Vec<Ligne>,
    /// Their subtotal.
    pub sous_total: Ligne,
}

/// The report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rapport {
    /// « Constat des effectifs » or « Prévision des effectifs ».
    pub titre: String,
    /// Année scolaire.
    pub annee: String,
    /// The territory (« Circonscription de Kervalan Nord », the département, the school).
    pub territoire: String,
    /// « commune » or « circonscription »: what the groups are.
    pub groupes_par: &'static str,
    /// The niveaux, in column order.
    pub niveaux: Vec<&'static str>,
    /// The groups.
    pub groupes: Vec<Groupe>,
    /// The total.
    pub total: Ligne,
    /// The schools not validated yet (« UAI — nom »).
    pub non_valides: Vec<String>,
    /// The campaign in words.
    pub campagne: String,
    /// Whether the campaign is open.
    pub campagne_ouverte: bool,
    /// The validated totals of past years, oldest first (year, total).
    pub tendance: Vec<(String, u32)>,
    /// What « Évolution » compares with.
    pub evolution: &'static str,
    /// Printed on (French date).
    pub fait_le: String,
}

/// A school's constat as its directeur checks it before validating.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConstatEcole {
    /// Année scolaire.
    pub annee: String,
    /// The school's line, counted now.
    pub calcule: Ligne,
    /// The validated line, if any.
    pub valide: Option<Ligne>,
    /// The campaign in words.
    pub campagne: String,
    /// Whether the campaign is open (validation possible).
    pub campagne_ouverte: bool,
}

fn date(t: time::OffsetDateTime) -> String {
    crate::domain::identite::date_fr(t.to_offset(crate::clock::paris_offset(t)).date())
}

fn ligne(libelle: String, e: &Effectifs, precedent: Option<u32>) -> Ligne {
    Ligne {
        ecole_id: None,
        uai: None,
        libelle,
        commune: None,
        etat: None,
        valide: false,
        niveaux: Niveau::ALL.iter().map(|n| e.niveaux.get(n).map_or(0, |c| c.eleves)).collect(),
        classes_niveaux: Niveau::ALL.iter().map(|n| e.niveaux.get(n).map_or(0, |c| c.classes)).collect(),
        ulis: e.ulis,
        total: e.total(),
        maternelle: e.maternelle(),
        elementaire: e.elementaire(),
        classes: e.classes,
        moyenne: e.moyenne(),
        variation: variation_texte(variation(e.total(), precedent)),
        sans_ine: e.sans_ine,
        ecart_prevision: variation_texte(None),
    }
}

fn campagne_texte(c: Option<(time::OffsetDateTime, Option<time::OffsetDateTime>)>) -> (String, bool) {
    match c {
        None => ("campagne non ouverte".into(), false),
        Some((o, None)) => (format!("campagne ouverte depuis le {}", date(o)), true),
        Some((o, Some(f))) => (format!("campagne ouverte le {}, close le {}", date(o), date(f)), false),
    }
}

impl Service<'_> {
    fn departement(&self) -> Result<DepartementId> {
        match &self.acteur.perimetre {
            Perimetre::Departement(d) => Ok(d.clone()),
            _ => Err(crate::auth::Interdit::Role.into()),
        }
    }

    /// Opens the campaign of the actor's département for the current year (or opens it again).
    pub fn ouvrir_campagne_constat(&self) -> Result<String> {
        self.campagne_constat(true)
    }

    /// Closes the campaign: no school validates any more.
    pub fn clore_campagne_constat(&self) -> Result<String> {
        self.campagne_constat(false)
    }

    /// Opens or closes the campaign (the domain says which state allows it), journaled.
    fn campagne_constat(&self, ouvrir: bool) -> Result<String> {
        self.autoriser(Ressource::Campagne, Action::Modifier)?;
        let d = self.departement()?;
        self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            let c = sc::campagne(tx, &d, annee)?;
            let ouverte = c.is_some_and(|(_, f)| f.is_none());
            let quoi = if ouvrir {
                constat::ouvrir(ouverte)?;
                sc::ouvrir_campagne(tx, &d, annee, self.le)?;
                if c.is_some() { "reouverture" } else { "ouverture" }
            } else {
                constat::clore(ouverte)?;
                sc::clore_campagne(tx, &d, annee, self.le)?;
                "cloture"
            };
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "campagne_constat")
                    .cible(d.to_string())
                    .detail(json!({ "annee": annee.to_string(), "etape": quoi }))],
            )?;
            Ok::<_, Error>(annee.to_string())
        })
    }

    /// A school's constat: counted now, and as validated if it was (journaled: counts of a
    /// school's pupils).
    pub fn constat_ecole(&self, ecole: &EcoleId) -> Result<ConstatEcole> {
        let c = self.calculer_constat_ecole(ecole)?;
        self.noter(&[Fait::new(Action::Lire, "constat").cible(ecole.to_string()).detail(json!({ "annee": c.annee }))])?;
        Ok(c)
    }

    /// Whether the school's constat waits for its validation (the campaign is open, the school
    /// has not validated): a state, no count shown, nothing journaled (the home page's reminder).
    pub fn constat_attendu(&self, ecole: &EcoleId) -> Result<bool> {
        let c = self.calculer_constat_ecole(ecole)?;
        Ok(c.campagne_ouverte && c.valide.is_none())
    }

    fn calculer_constat_ecole(&self, ecole: &EcoleId) -> Result<ConstatEcole> {
        self.autoriser(Ressource::Constat, Action::Lire)?;
        let (annee, e, calcule, valide, campagne) = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let e = territoires::ecole(c, &self.acteur.perimetre, ecole)?;
            let p = Perimetre::Ecole(ecole.clone());
            let calcule = sc::calculer(c, &p, annee)?.remove(ecole).unwrap_or_else(Effectifs::vide);
            let valide = sc::valides(c, &p, annee)?.remove(ecole);
            let dep = sc::ecoles(c, &p)?.into_iter().next().map(|x| x.departement);
            let campagne = match dep {
                Some(d) => sc::campagne(c, &d, annee)?,
                None => None,
            };
            Ok((annee, e, calcule, valide, campagne))
        })?;
        let (texte, ouverte) = campagne_texte(campagne);
        let mut l = ligne(e.nom.clone(), &calcule, None);
        l.ecole_id = Some(ecole.to_string());
        l.uai = Some(e.uai.to_string());
        Ok(ConstatEcole {
            annee: annee.to_string(),
            calcule: l,
            valide: valide.map(|(le, v)| {
                let mut l = ligne(e.nom.clone(), &v, None);
                l.etat = Some(format!("validé le {}", date(le)));
                l.valide = true;
                l
            }),
            campagne: texte,
            campagne_ouverte: ouverte,
        })
    }

    /// The directeur validates the school's constat: the counts of now are frozen. Only while
    /// the campaign is open; validating again replaces the previous validation (journaled).
    pub fn valider_constat(&self, ecole: &EcoleId) -> Result<ConstatEcole> {
        self.autoriser(Ressource::Constat, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            territoires::ecole(tx, &self.acteur.perimetre, ecole)?;
            let p = Perimetre::Ecole(ecole.clone());
            let dep = sc::ecoles(tx, &p)?
                .into_iter()
                .next()
                .map(|x| x.departement)
                .ok_or(crate::store::Error::Introuvable("école"))?;
            let campagne = sc::campagne(tx, &dep, annee)?;
            constat::validation_possible(campagne.is_some_and(|(_, f)| f.is_none()))?;
            let e = sc::calculer(tx, &p, annee)?.remove(ecole).unwrap_or_else(Effectifs::vide);
            let deja = sc::valider(tx, ecole, annee, &e, self.le)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "constat").cible(ecole.to_string()).detail(json!({
                    "annee": annee.to_string(),
                    "validation": if deja { "revalidation" } else { "validation" },
                    "total": e.total(),
                }))],
            )?;
            Ok::<_, Error>(())
        })?;
        self.constat_ecole(ecole)
    }

    /// The report of the actor's territory (IEN: the circonscription by commune; IA-DASEN: the
    /// département by circonscription; directeur: the school).
    pub fn rapport_constat(&self) -> Result<Rapport> {
        self.autoriser(Ressource::Constat, Action::Lire)?;
        let p = self.acteur.perimetre.clone();
        let par_circonscription =
            matches!(p, Perimetre::Departement(_) | Perimetre::Academie(_) | Perimetre::Installation);
        let (annee, ecoles, calcules, valides, precedents, tendance, territoire, campagne, prevues) =
            self.store.read(|c| {
                let annee = territoires::annee_courante(c)?;
                let prevues = crate::store::prevision::validees(c, &p, annee)?;
                let ecoles = sc::ecoles(c, &p)?;
                let calcules = sc::calculer(c, &p, annee)?;
                let valides = sc::valides(c, &p, annee)?;
                let precedents = sc::valides(c, &p, annee.precedente())?;
                let tendance = sc::tendance(c, &p)?;
                let territoire = territoires::nom_perimetre(c, &p)?.unwrap_or_default();
                let campagne = match ecoles.first() {
                    Some(e) => sc::campagne(c, &e.departement, annee)?,
                    None => None,
                };
                Ok((annee, ecoles, calcules, valides, precedents, tendance, territoire, campagne, prevues))
            })?;
        let (mut groupes, mut total, non_valides) = assembler(
            &ecoles,
            par_circonscription,
            |e| match valides.get(&e.id) {
                Some((le, v)) => (v.clone(), format!("validé le {}", date(*le)), true),
                None => (calcules.get(&e.id).cloned().unwrap_or_else(Effectifs::vide), "non validé".to_string(), false),
            },
            |id| precedents.get(id).map(|(_, v)| v.total()),
        );
        // Once the rentrée is done: the gap to the forecast each school validated last year.
        let prevu = |id: &Option<String>| -> Option<u32> {
            let id = EcoleId::parse(id.as_deref()?).ok()?;
            prevues.get(&id).map(|(_, v)| v.values().sum())
        };
        let mut tout: Option<u32> = Some(0);
        for g in &mut groupes {
            let mut somme: Option<u32> = Some(0);
            for l in &mut g.ecoles {
                let p = prevu(&l.ecole_id);
                l.ecart_prevision = variation_texte(variation(l.total, p));
                somme = somme.zip(p).map(|(a, b)| a + b);
            }
            g.sous_total.ecart_prevision = variation_texte(variation(g.sous_total.total, somme));
            tout = tout.zip(somme).map(|(a, b)| a + b);
        }
        total.ecart_prevision = variation_texte(variation(total.total, tout.filter(|_| !prevues.is_empty())));
        // The validated trend, this year included as it stands (validated or counted now).
        let mut tendance: Vec<(String, u32)> = tendance
            .into_iter()
            .filter(|(a, _)| *a < annee.debut())
            .filter_map(|(a, t)| AnneeScolaire::new(a).ok().map(|a| (a.to_string(), t)))
            .collect();
        tendance.push((annee.to_string(), total.total));
        let (texte, ouverte) = campagne_texte(campagne);
        self.noter(&[Fait::new(Action::Lire, "constat").detail(json!({ "annee": annee.to_string() }))])?;
        Ok(Rapport {
            titre: "Constat des effectifs".into(),
            annee: annee.to_string(),
            territoire,
            groupes_par: if par_circonscription { "circonscription" } else { "commune" },
            niveaux: Niveau::ALL.iter().map(|n| n.code()).collect(),
            total,
            groupes,
            non_valides,
            campagne: texte,
            campagne_ouverte: ouverte,
            tendance,
            evolution: "écart au constat validé de l'année précédente",
            fait_le: crate::domain::identite::date_fr(self.today()),
        })
    }

    /// Whether the actor opens and closes campaigns (the pages offer the buttons then).
    pub fn gere_campagne(&self) -> bool {
        self.acteur.decision(Ressource::Campagne, Action::Modifier).autorise() && self.acteur.role == Role::IaDasen
    }
}

/// Groups the schools' lines (by commune, or by circonscription), with subtotals and the
/// total; `valeur` gives a school's counts, its state and whether validated; `precedent` the
/// total it is compared with. Returns the groups, the total line and the schools not validated.
fn assembler(
    ecoles: &[sc::EcoleConstat],
    par_circonscription: bool,
    valeur: impl Fn(&sc::EcoleConstat) -> (Effectifs, String, bool),
    precedent: impl Fn(&EcoleId) -> Option<u32>,
) -> (Vec<Groupe>, Ligne, Vec<String>) {
    let mut groupes: Vec<Groupe> = Vec::new();
    let mut non_valides = Vec::new();
    let mut sommes: Vec<(Effectifs, Option<u32>)> = Vec::new();
    for e in ecoles {
        let (eff, etat, valide) = valeur(e);
        if !valide {
            non_valides.push(format!("{} — {}", e.uai, e.nom));
        }
        let prec = precedent(&e.id);
        let mut l = ligne(e.nom.clone(), &eff, prec);
        l.ecole_id = Some(e.id.to_string());
        l.uai = Some(e.uai.clone());
        l.commune = Some(e.commune.clone());
        l.etat = Some(etat);
        l.valide = valide;
        let cle = if par_circonscription { &e.circonscription } else { &e.commune };
        if groupes.last().is_none_or(|g| &g.nom != cle) {
            groupes.push(Groupe {
                nom: cle.clone(),
                ecoles: Vec::new(),
                sous_total: ligne(String::new(), &Effectifs::vide(), None),
            });
            sommes.push((Effectifs::vide(), Some(0)));
        }
        if let (Some(g), Some(s)) = (groupes.last_mut(), sommes.last_mut()) {
            g.ecoles.push(l);
            s.0.ajouter(&eff);
            s.1 = match (s.1, prec) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
    }
    let mut total = Effectifs::vide();
    let mut total_precedent = Some(0u32);
    for (g, (s, prec)) in groupes.iter_mut().zip(&sommes) {
        let quoi = if par_circonscription { "circonscription" } else { "commune" };
        g.sous_total = ligne(format!("Sous-total {quoi} {}", g.nom), s, *prec);
        total.ajouter(s);
        total_precedent = match (total_precedent, prec) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    (groupes, ligne("Total".into(), &total, total_precedent), non_valides)
}

/// The report's lines in order: each group's schools then its subtotal, then the total.
pub fn lignes(r: &Rapport) -> Vec<(&str, &Ligne)> {
    let mut out = Vec::new();
    for g in &r.groupes {
        for l in &g.ecoles {
            out.push((g.nom.as_str(), l));
        }
        out.push((g.nom.as_str(), &g.sous_total));
    }
    out.push(("", &r.total));
    out
}

/// The columns of the CSV and the XLSX.
pub fn entetes(r: &Rapport) -> Vec<String> {
    let mut h: Vec<String> = vec![
        if r.groupes_par == "commune" { "Commune" } else { "Circonscription" }.into(),
        "UAI".into(),
        "École".into(),
        "État".into(),
    ];
    h.extend(r.niveaux.iter().map(|n| n.to_string()));
    h.extend(
        [
            "ULIS",
            "Total",
            "Maternelle",
            "Élémentaire",
            "Classes",
            "Élèves par classe",
            "Évolution",
            "Sans INE (non comptés)",
            "Écart à la prévision",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

fn cellules(groupe: &str, l: &Ligne) -> Vec<String> {
    let mut v = vec![
        groupe.to_string(),
        l.uai.clone().unwrap_or_default(),
        l.libelle.clone(),
        l.etat.clone().unwrap_or_default(),
    ];
    v.extend(l.niveaux.iter().map(u32::to_string));
    v.extend([
        l.ulis.to_string(),
        l.total.to_string(),
        l.maternelle.to_string(),
        l.elementaire.to_string(),
        l.classes.to_string(),
        l.moyenne.map(|m| format!("{m:.1}").replace('.', ",")).unwrap_or_default(),
        l.variation.clone(),
        l.sans_ine.to_string(),
        l.ecart_prevision.clone(),
    ]);
    v
}

/// The report as CSV (`;`, UTF-8 with a byte-order mark, decimal comma).
pub fn csv(r: &Rapport) -> Result<Vec<u8>> {
    super::csv_octets(std::iter::once(entetes(r)).chain(lignes(r).into_iter().map(|(g, l)| cellules(g, l))), true)
}

/// The report as an XLSX workbook (numbers as numbers).
pub fn xlsx(r: &Rapport) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = super::erreur_fichier;
    let mut wb = Workbook::new();
    let gras = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(if r.titre.starts_with("Prévision") { "Prévision" } else { "Constat" }).map_err(err)?;
    ws.write_string_with_format(0, 0, format!("{} {} — {}", r.titre, r.annee, r.territoire), &gras).map_err(err)?;
    for (i, h) in entetes(r).iter().enumerate() {
        ws.write_string_with_format(2, i as u16, h, &gras).map_err(err)?;
    }
    for (ligne_no, (g, l)) in lignes(r).into_iter().enumerate() {
        let row = ligne_no as u32 + 3;
        let fmt = if l.ecole_id.is_none() { Some(&gras) } else { None };
        let texte = |ws: &mut rust_xlsxwriter::Worksheet, col: u16, s: &str| match fmt {
            Some(f) => ws.write_string_with_format(row, col, s, f).map(|_| ()),
            None => ws.write_string(row, col, s).map(|_| ()),
        };
        texte(ws, 0, g).map_err(err)?;
        texte(ws, 1, l.uai.as_deref().unwrap_or_default()).map_err(err)?;
        texte(ws, 2, &l.libelle).map_err(err)?;
        texte(ws, 3, l.etat.as_deref().unwrap_or_default()).map_err(err)?;
        let mut col = 4u16;
        let nombres: Vec<f64> = l
            .niveaux
            .iter()
            .map(|n| f64::from(*n))
            .chain([l.ulis, l.total, l.maternelle, l.elementaire, l.classes].map(f64::from))
            .collect();
        for n in nombres {
            ws.write_number(row, col, n).map_err(err)?;
            col += 1;
        }
        if let Some(m) = l.moyenne {
            ws.write_number(row, col, m).map_err(err)?;
        }
        texte(ws, col + 1, &l.variation).map_err(err)?;
        ws.write_number(row, col + 2, f64::from(l.sans_ine)).map_err(err)?;
        texte(ws, col + 3, &l.ecart_prevision).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// The report as a PDF (A4 landscape), from the same data as the CSV and the XLSX.
pub fn pdf(engine: &crate::render::Engine, r: &Rapport, le: time::OffsetDateTime) -> Result<Vec<u8>> {
    let stamp = crate::render::Stamp { at: le, ident: format!("{}/{}/{}", r.titre, r.territoire, r.annee) };
    Ok(engine.render(crate::domain::Document::ConstatEffectifs, &json!({ "documents": [r] }), &stamp)?)
}

// Prévision des effectifs -----------------------------------------------------------------------

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
fn calculer_prevision(
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

fn effectifs_de(niveaux: &[NiveauPrevision]) -> Effectifs {
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

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

mod prevision;
pub use prevision::{NiveauPrevision, PrevisionEcole};

/// One line of the report (a school, a subtotal or the total).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LigneConstat)]
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

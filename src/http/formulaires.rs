//! The machinery of the pages' forms: a submitted form read strictly (`Saisie`), the fixed
//! confirmations of `?fait=`, a refusal shown with its way back, and the steps that run a use
//! case from a form and come back to the page, filled in, when it is refused.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::Error;
use super::pages::{Message, PageError, avec_moi};
use super::session::Visiteur;
use crate::http::etat::AppState;

pub(super) type Sortie = Result<Response, PageError>;

// Forms -----------------------------------------------------------------------------------------

/// A submitted form, as its pairs: a list of checkboxes repeats its name.
#[derive(Debug)]
pub(super) struct Saisie(pub(super) Vec<(String, String)>);

/// The most fields a form may have.
pub(super) const CHAMPS_MAX: usize = 200;

/// The longest value a refused form gets back in a field: more than any of the pages' inputs
/// accepts (`maxlength` 500 at most), so nothing typed is cut; the body's limit bounds the rest.
const REPRISE_MAX: usize = 2000;

/// The longest value a page form keeps when it comes back filled in.
pub(super) const VALEUR_MAX: usize = 300;

impl Saisie {
    /// Reads an `application/x-www-form-urlencoded` body strictly: bytes that are not UTF-8
    /// once decoded are refused (a lenient reader would store U+FFFD in a pupil's name).
    pub(super) fn lire(corps: &[u8]) -> Result<Self, PageError> {
        let illisible = || Error::requete("formulaire illisible : il doit être envoyé en UTF-8 depuis la page");
        let decoder = |b: &[u8]| -> Result<String, Error> {
            let plus: Vec<u8> = b.iter().map(|c| if *c == b'+' { b' ' } else { *c }).collect();
            percent_encoding::percent_decode(&plus).decode_utf8().map(|s| s.into_owned()).map_err(|_| illisible())
        };
        let mut pairs = Vec::new();
        for part in corps.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            if pairs.len() == CHAMPS_MAX {
                return Err(Error::requete("formulaire trop long").into());
            }
            let (k, v) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            pairs.push((decoder(k)?, decoder(v)?));
        }
        Ok(Self(pairs))
    }

    /// The first non-blank value of a field, trimmed.
    pub(super) fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim()).find(|v| !v.is_empty())
    }

    pub(super) fn texte(&self, k: &str) -> String {
        self.get(k).unwrap_or_default().to_string()
    }

    pub(super) fn opt(&self, k: &str) -> Option<String> {
        self.get(k).map(str::to_string)
    }

    pub(super) fn tous(&self, k: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, v)| n == k && !v.trim().is_empty()).map(|(_, v)| v.trim()).collect()
    }

    pub(super) fn coche(&self, k: &str) -> bool {
        self.get(k).is_some()
    }

    /// Every pair, as sent.
    pub(super) fn paires(&self) -> &[(String, String)] {
        &self.0
    }

    pub(super) fn csrf(&self, v: &Visiteur) -> Result<(), PageError> {
        Ok(v.verifier_csrf(self.get("csrf").unwrap_or_default())?)
    }
}

// A refused form, drawn again by its template -----------------------------------------------------

/// A form the server refused, for its page drawn again: the templates put each message beside
/// its control and what was typed back into the controls (the macros of `champs.html`). Only the
/// form posted to `action` is concerned: a page may hold several forms sharing a field's name.
#[derive(Debug, Clone, Serialize)]
pub struct Refuse {
    /// The address the form posts to.
    action: String,
    /// Each field's message, by the input's name: a field refused twice has both reasons.
    erreurs: std::collections::BTreeMap<String, String>,
    /// The summary's lines, in the order the use case reported them.
    resume: Vec<LigneResume>,
    /// Whether the summary links each message to its field: not when the page drawn again
    /// does not hold the form (a decision taken from the home page's list).
    liens: bool,
    /// What the id of a field's control is made of, before its name: `champ-`, or nothing on
    /// the account pages, whose controls are named and identified alike.
    prefixe: &'static str,
    /// What was typed, by the input's name (every value of a list of boxes), each cut to
    /// [`REPRISE_MAX`] characters. A password is never put back: its input has no value.
    valeurs: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
struct LigneResume {
    nom: String,
    message: String,
}

impl Refuse {
    /// The refusal `e` of the form posted to `action` with `saisie`: each field's key turned
    /// into the input's name by `nommer`. `None` when the refusal names no field.
    pub(super) fn de(
        e: &Error,
        action: &str,
        saisie: &[(String, String)],
        nommer: impl Fn(&str) -> String,
    ) -> Option<Self> {
        let mut erreurs = std::collections::BTreeMap::<String, String>::new();
        let mut resume: Vec<LigneResume> = Vec::new();
        for c in e.erreurs_champs() {
            let nom = nommer(&c.champ);
            let message = crate::domain::champs::phrase(&c.message);
            match erreurs.get_mut(&nom) {
                Some(m) if !m.contains(&message) => *m = format!("{m} ; {message}"),
                Some(_) => {}
                None => {
                    erreurs.insert(nom.clone(), message);
                    resume.push(LigneResume { nom, message: String::new() });
                }
            }
        }
        if erreurs.is_empty() {
            return None;
        }
        for l in &mut resume {
            l.message = erreurs[&l.nom].clone();
        }
        let mut valeurs = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (k, v) in saisie.iter().filter(|(k, _)| k != "csrf") {
            valeurs.entry(k.clone()).or_default().push(v.chars().take(REPRISE_MAX).collect());
        }
        Some(Self { action: action.to_string(), erreurs, resume, valeurs, liens: true, prefixe: "champ-" })
    }

    /// A refusal of one field, `nom`, with nothing typed to put back.
    pub(super) fn champ(action: &str, nom: &str, message: &str) -> Self {
        let message = crate::domain::champs::phrase(message);
        Self {
            action: action.to_string(),
            erreurs: [(nom.to_string(), message.clone())].into(),
            resume: vec![LigneResume { nom: nom.to_string(), message }],
            valeurs: Default::default(),
            liens: true,
            prefixe: "champ-",
        }
    }

    /// For a form whose controls have their name for id (the account pages).
    pub(super) fn ids_par_nom(self) -> Self {
        Self { prefixe: "", ..self }
    }

    /// The visitor coming back to the page with this refused form.
    pub(super) fn pour(self, v: &Visiteur) -> Visiteur {
        Visiteur { refuse: Some(std::sync::Arc::new(self)), ..v.clone() }
    }

    /// The visitor, coming back with the refused form if there is one.
    pub(super) fn visiteur(refuse: Option<Self>, v: Visiteur) -> Visiteur {
        match refuse {
            Some(r) => r.pour(&v),
            None => v,
        }
    }
}

/// The key of the API's child request as the pupil forms name their inputs: `eleve.nom` is
/// `eleve_nom`, `responsables[0].nom` is `r1_nom`; others keep their name.
pub(super) fn nom_enfant(cle: &str) -> String {
    if let Some((liste, i, champ)) = element(cle)
        && liste == "responsables"
    {
        return format!("r{}_{champ}", i + 1);
    }
    cle.replace('.', "_")
}

/// A list item's field key, `responsables[1].nom`, as (list, index, field).
pub(super) fn element(cle: &str) -> Option<(&str, usize, &str)> {
    let (liste, reste) = cle.split_once('[')?;
    let (i, reste) = reste.split_once("].")?;
    Some((liste, i.parse().ok()?, reste))
}

/// The templates' side of a refused form (`champs.html` calls these):
/// - `formulaire | du_formulaire(action=…)`: the refused form if it is the one posted to that
///   address, else nothing;
/// - `erreur(f=…, nom=…)`: the field's message, or nothing; `en_erreur(…)`: whether it has one;
/// - `saisi(f=…, nom=…, defaut=…)`: what was typed in the field, else `defaut` (the record's);
/// - `coche(f=…, nom=…, valeur=…, defaut=…)`: whether the box or radio `valeur` is ticked (on a
///   refused form, exactly when it was sent);
/// - `choisi(f=…, nom=…, valeur=…, defaut=…)`: whether the option `valeur` is selected (on a
///   refused form, when it was sent, or `defaut` when the list was left alone).
pub(super) fn enregistrer(t: &mut tera::Tera) {
    use serde_json::Value;
    use std::collections::HashMap;
    fn arg<'a>(a: &'a HashMap<String, Value>, k: &str) -> &'a Value {
        a.get(k).unwrap_or(&Value::Null)
    }
    fn texte(a: &HashMap<String, Value>, k: &str) -> String {
        match arg(a, k) {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            v => v.to_string(),
        }
    }
    /// What was typed in the field `nom` of the refused form `f` (None: the page is not drawn
    /// again for this form).
    fn valeurs(a: &HashMap<String, Value>) -> Option<Vec<&str>> {
        let f = arg(a, "f").as_object()?;
        let nom = a.get("nom")?.as_str()?;
        let l = f.get("valeurs")?.get(nom).and_then(Value::as_array);
        Some(l.map(|l| l.iter().filter_map(Value::as_str).collect()).unwrap_or_default())
    }
    t.register_filter("du_formulaire", |v: &Value, a: &HashMap<String, Value>| {
        let action = a.get("action").and_then(Value::as_str);
        Ok(match v.get("action").and_then(Value::as_str) {
            Some(x) if Some(x) == action => v.clone(),
            _ => Value::Null,
        })
    });
    t.register_function("erreur", |a: &HashMap<String, Value>| {
        let nom = texte(a, "nom");
        Ok(arg(a, "f").get("erreurs").and_then(|e| e.get(&nom)).cloned().unwrap_or(Value::Null))
    });
    t.register_function("en_erreur", |a: &HashMap<String, Value>| {
        let nom = texte(a, "nom");
        Ok(Value::Bool(arg(a, "f").get("erreurs").and_then(|e| e.get(&nom)).is_some()))
    });
    t.register_function("saisi", |a: &HashMap<String, Value>| {
        // A field the form did not send (a disabled input) keeps the record's value.
        Ok(Value::String(match valeurs(a).as_deref() {
            Some([premier, ..]) => premier.to_string(),
            _ => texte(a, "defaut"),
        }))
    });
    t.register_function("coche", |a: &HashMap<String, Value>| {
        Ok(Value::Bool(match valeurs(a) {
            Some(l) => l.contains(&texte(a, "valeur").as_str()),
            None => arg(a, "defaut").as_bool().unwrap_or(false),
        }))
    });
    t.register_function("choisi", |a: &HashMap<String, Value>| {
        Ok(Value::Bool(match valeurs(a).filter(|l| !l.is_empty()) {
            Some(l) => l.contains(&texte(a, "valeur").as_str()),
            None => arg(a, "defaut").as_bool().unwrap_or(false),
        }))
    });
}

// Confirmations and refusals ---------------------------------------------------------------------

const FAITS: &[(&str, &str)] = &[
    ("inscription", "Inscription enregistrée ; confirmez-la quand les pièces sont vérifiées."),
    ("confirmee", "Inscription confirmée : le certificat d'inscription peut être imprimé."),
    ("annulee", "Inscription annulée."),
    ("admission", "Élève admis à l'école."),
    ("complete", "Dossier complet : l'admission est définitive."),
    ("classe", "Classe créée."),
    ("placement", "Répartition enregistrée."),
    ("propositions", "Propositions de passage enregistrées pour la classe."),
    ("passage", "Passage mis à jour."),
    ("depart", "Départ en fin d'année enregistré."),
    ("radiation", "Élève radié : le certificat de radiation peut être imprimé."),
    ("radiation_annulee", "Radiation annulée : l'élève fait de nouveau partie de l'école."),
    (
        "verification_envoyee",
        "Corrections envoyées : l'école les examine, elles ne changent la fiche qu'une fois acceptées.",
    ),
    ("verification_confirmee", "Partie confirmée telle quelle."),
    (
        "verification_terminee",
        "Merci : la fiche est vérifiée pour cette année. Vous pouvez télécharger votre accusé de réception.",
    ),
    ("verification_transmise", "Merci : le reste est confirmé ; vos corrections attendent la décision de l'école."),
    ("verification_acceptee", "Corrections acceptées : elles figurent sur la prochaine fiche imprimée."),
    ("verification_refusee", "Corrections refusées : la famille lit votre raison et peut répondre à nouveau."),
    (
        "campagne_verification",
        "Vérification annuelle enregistrée : les familles peuvent répondre en ligne jusqu'à la date de fin.",
    ),
];

/// The confirmation of a `?fait=` code; an unknown code shows nothing.
pub(super) fn confirmation(code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    FAITS.iter().chain(super::pages::corrections::FAITS).find(|(c, _)| *c == code).map(|(_, m)| *m)
}

/// The query of a page: its confirmation code, and the inscriptions' state filter.
#[derive(Debug, Default, Deserialize)]
pub struct QueryPage {
    pub(super) fait: Option<String>,
    pub(super) etat: Option<String>,
}

pub(super) fn fait_de(q: Result<Query<QueryPage>, QueryRejection>) -> Option<&'static str> {
    q.ok().and_then(|Query(f)| confirmation(f.fait.as_deref()))
}

/// A refusal of the domain or the policy, shown with a way back; a server error stays opaque.
pub(super) fn refus(state: &AppState, v: &Visiteur, e: Error, lien: &str, texte: &str) -> Sortie {
    if e.status().is_server_error() {
        return Err(e.into());
    }
    let titre = if e.status() == StatusCode::FORBIDDEN { "Accès refusé" } else { "Demande refusée" };
    let html = state.pages.render(
        "erreur.html",
        &avec_moi(
            v,
            Message {
                titre,
                message: e.message(),
                lien: Some(lien),
                lien_texte: Some(texte),
                avertissements: &[],
                intitule: None,
            },
        ),
    )?;
    Ok((e.status(), Html(html)).into_response())
}

/// A success: back to the page with its confirmation, or the warnings first.
pub(super) fn fait(state: &AppState, v: &Visiteur, vers: &str, code: &str, avertissements: &[String]) -> Sortie {
    if avertissements.is_empty() {
        return Ok(Redirect::to(&format!("{vers}?fait={code}")).into_response());
    }
    let html = state.pages.render(
        "message.html",
        &avec_moi(
            v,
            Message {
                titre: "C'est fait",
                message: confirmation(Some(code)).unwrap_or("C'est enregistré."),
                avertissements,
                intitule: None,
                lien: Some(vers),
                lien_texte: Some("Continuer"),
            },
        ),
    )?;
    Ok(Html(html).into_response())
}

/// The outcome of a step over many records that may have done nothing: says how many it did
/// (never « C'est fait » for nothing) and lists what still waits, under its own heading.
pub(super) fn bilan(
    state: &AppState,
    v: &Visiteur,
    vers: &str,
    (titre, message): (&str, &str),
    restent: (&str, &[String]),
) -> Sortie {
    let html = state.pages.render(
        "message.html",
        &avec_moi(
            v,
            Message {
                titre,
                message,
                avertissements: restent.1,
                intitule: Some(restent.0),
                lien: Some(vers),
                lien_texte: Some("Continuer"),
            },
        ),
    )?;
    Ok(Html(html).into_response())
}

/// The page a form lives on, to show it again when the form is refused.
#[derive(Debug, Clone)]
pub(super) enum PageDe {
    Accueil,
    Oppositions,
    Ecole(crate::domain::EcoleId),
    Classe(crate::domain::ClasseId),
    Eleve(crate::domain::EleveId),
    Prevision(crate::domain::EcoleId),
    Verification(crate::domain::EleveId),
    VerificationEcole(crate::domain::EcoleId),
    VerificationTerritoire,
}

impl PageDe {
    async fn rendre(self, state: &AppState, v: &Visiteur) -> super::pages::PageResult {
        let q = || Ok(Query(QueryPage::default()));
        let (st, vi) = (State(state.clone()), v.clone());
        match self {
            PageDe::Accueil => super::pages::accueil(st, vi, Ok(Query(Default::default()))).await,
            PageDe::Oppositions => super::pages::corrections::page_oppositions(st, vi, q()).await,
            PageDe::Ecole(id) => super::pages::page_ecole(st, vi, super::extraction::Id(id), q()).await,
            PageDe::Classe(id) => super::pages::page_classe(st, vi, super::extraction::Id(id), q()).await,
            PageDe::Eleve(id) => super::pages::page_eleve(st, vi, super::extraction::Id(id), q()).await,
            PageDe::Prevision(id) => {
                super::pages::effectifs::page_prevision_ecole(st, vi, super::extraction::Id(id), q()).await
            }
            PageDe::Verification(id) => {
                super::pages::verification_annuelle::page_eleve(st, vi, super::extraction::Id(id), q()).await
            }
            PageDe::VerificationEcole(id) => {
                super::pages::verification_annuelle::page_ecole(st, vi, super::extraction::Id(id), q()).await
            }
            PageDe::VerificationTerritoire => super::pages::verification_annuelle::page_territoire(st, vi).await,
        }
    }
}

impl PageDe {
    /// The input's name of a refused field's key, on this page's forms.
    fn nom_du_champ(&self, cle: &str) -> String {
        match (self, cle.split_once('.')) {
            // The forecast's `CP.arrivees` is the input `arrivees_CP`.
            (PageDe::Prevision(_), Some((niveau, champ))) => format!("{champ}_{niveau}"),
            // A campaign's reminders are the inputs `relance` (the first carries the message).
            (PageDe::VerificationEcole(_) | PageDe::VerificationTerritoire, _) if cle.starts_with("relances") => {
                "relance".to_string()
            }
            // The yearly check's blocks: `v_<clé>`, and the contacts `c<n>_<clé>` (from 1).
            (PageDe::Verification(_), _) => match element(cle) {
                Some(("contacts", i, champ)) => format!("c{}_{champ}", i + 1),
                Some((_, _, champ)) => format!("v_{champ}"),
                None => match cle.split_once('.') {
                    Some(("valeurs" | "eleve" | "annuel", champ)) => format!("v_{champ}"),
                    _ => cle.to_string(),
                },
            },
            _ => cle.to_string(),
        }
    }
}

/// A form as submitted: what was typed, its action, and the page it lives on.
#[derive(Debug, Clone, Copy)]
pub(super) struct FormulaireSoumis<'a> {
    pub saisie: &'a Saisie,
    pub action: &'a str,
    pub page: &'a PageDe,
}

/// A refused form: when the refusal names fields and the form's page is known, that page
/// again, with what was typed put back and each error beside its field (422); else the French
/// error page with a way back.
pub(super) async fn reprendre<'a>(
    state: &AppState,
    v: &Visiteur,
    e: Error,
    f: impl Into<Option<FormulaireSoumis<'a>>>,
    retour: (&str, &str),
) -> Sortie {
    let Some(f) = f.into() else { return refus(state, v, e, retour.0, retour.1) };
    let refuse = Refuse::de(&e, f.action, &f.saisie.0, |cle| f.page.nom_du_champ(cle));
    let Some(refuse) =
        refuse.filter(|_| e.status().is_client_error() && !matches!(e.status().as_u16(), 401 | 403 | 404))
    else {
        return refus(state, v, e, retour.0, retour.1);
    };
    let refuse = Refuse { liens: !matches!(f.page, PageDe::Accueil), ..refuse };
    let Html(html) = f.page.clone().rendre(state, &refuse.pour(v)).await?;
    Ok((e.status(), Html(html)).into_response())
}

/// Like [`etape`], for a form embedded in a page: a refusal naming fields shows that page
/// again with the errors beside the fields and the input kept.
pub(super) async fn etape_formulaire<'a, T, F>(
    state: &AppState,
    v: &Visiteur,
    formulaire: impl Into<Option<FormulaireSoumis<'a>>>,
    retour: (&str, &str),
    f: F,
    ensuite: impl FnOnce(T) -> Sortie,
) -> Sortie
where
    T: Send + 'static,
    F: FnOnce(&crate::service::Service<'_>) -> Result<T, crate::service::Error> + Send + 'static,
{
    match super::service(state, v.acteur.clone(), f).await {
        Ok(t) => ensuite(t),
        Err(e) => reprendre(state, v, e, formulaire, retour).await,
    }
}

/// Runs a domain step for a form: `ensuite` answers its success, a refusal comes back as a page.
pub(super) async fn etape<T, F>(
    state: &AppState,
    v: &Visiteur,
    retour: (&str, &str),
    f: F,
    ensuite: impl FnOnce(T) -> Sortie,
) -> Sortie
where
    T: Send + 'static,
    F: FnOnce(&crate::service::Service<'_>) -> Result<T, crate::service::Error> + Send + 'static,
{
    etape_formulaire(state, v, None, retour, f, ensuite).await
}

// Inscriptions ----------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(gabarit: &str) -> tera::Tera {
        let mut t = tera::Tera::default();
        t.add_raw_templates(vec![
            ("champs.html", include_str!("../../templates/pages/champs.html")),
            ("t.html", gabarit),
        ])
        .unwrap();
        t.autoescape_on(vec![".html"]);
        enregistrer(&mut t);
        t
    }

    fn rendre(gabarit: &str, refuse: Option<&Refuse>) -> String {
        let mut ctx = tera::Context::new();
        ctx.insert("formulaire", &refuse);
        tera(gabarit).render("t.html", &ctx).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn refuse(champs: &[(&str, &str)], saisie: &[(&str, &str)]) -> Refuse {
        let e = Error::from(crate::service::Error::Invalide(crate::domain::Error::Champs(
            champs
                .iter()
                .map(|(c, m)| crate::domain::ErreurChamp { champ: c.to_string(), message: m.to_string() })
                .collect(),
        )));
        let saisie: Vec<(String, String)> = saisie.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Refuse::de(&e, "/f", &saisie, |c| c.replace('.', "_")).expect("fields")
    }

    #[test]
    fn a_refusal_keeps_each_field_once_in_order_with_both_reasons() {
        let r = refuse(
            &[
                ("eleve.nom", "trop long"),
                ("date", "dans le futur"),
                ("eleve.nom", "chiffres interdits"),
                ("date", "dans le futur"),
            ],
            &[
                ("csrf", "jeton"),
                ("motifs", &"x".repeat(500)),
                ("eleve_nom", &"y".repeat(REPRISE_MAX + 50)),
                ("niveaux", "CP"),
                ("niveaux", "CE1"),
            ],
        );
        assert_eq!(r.erreurs["eleve_nom"], "Trop long ; Chiffres interdits");
        assert_eq!(r.erreurs["date"], "Dans le futur");
        assert_eq!(r.resume.iter().map(|l| l.nom.as_str()).collect::<Vec<_>>(), ["eleve_nom", "date"]);
        assert!(!r.valeurs.contains_key("csrf"), "the page's own token stays");
        assert_eq!(r.valeurs["motifs"][0].chars().count(), 500, "a long reason comes back whole");
        assert_eq!(r.valeurs["eleve_nom"][0].chars().count(), REPRISE_MAX);
        assert_eq!(r.valeurs["niveaux"], ["CP", "CE1"]);
    }

    #[test]
    fn a_refusal_naming_no_field_is_not_a_form_to_mark() {
        let e = Error::from(crate::service::Error::Conflit("déjà fait".into()));
        assert!(Refuse::de(&e, "/f", &[], str::to_string).is_none());
    }

    const FORMULAIRES: &str = r#"{% import "champs.html" as ch %}{{ ch::resume(f=formulaire) }}
{% for a in ["/f", "/g"] %}<form action="{{ a }}">{% set f = formulaire | du_formulaire(action=a) %}
<input name="nom" value="{{ saisi(f=f, nom="nom", defaut="Durand") }}"{{ ch::marque(f=f, nom="nom") }}>{{ ch::message(f=f, nom="nom") }}
<input name="ville" value="{{ saisi(f=f, nom="ville", defaut="Rennes") }}" disabled>
{% for n in ["CP", "CE1"] %}<input type="checkbox" name="niveaux" value="{{ n }}"{% if coche(f=f, nom="niveaux", valeur=n, defaut=n == "CP") %} checked{% endif %}>{% endfor %}
<select name="classe">{% for c in ["a", "b"] %}<option value="{{ c }}"{% if choisi(f=f, nom="classe", valeur=c, defaut=c == "b") %} selected{% endif %}>{% endfor %}</select>
</form>{% endfor %}"#;

    #[test]
    fn only_the_refused_form_is_marked_and_filled_with_what_was_typed() {
        let r = refuse(&[("nom", "<b>lettres</b> seulement")], &[("nom", "<i>12</i>"), ("niveaux", "CE1")]);
        let html = rendre(FORMULAIRES, Some(&r));
        let (f, g) = html.split_at(html.find("<form action=\"&#x2F;g\"").unwrap());
        assert!(f.contains("id=\"erreurs\"") && f.contains("Rien n'est enregistré : 1 champ à corriger."), "{html}");
        assert!(f.contains("<li><a href=\"#champ-nom\">&lt;b&gt;lettres&lt;&#x2F;b&gt; seulement</a></li>"), "{html}");
        assert!(f.contains(r#"<input name="nom" value="&lt;i&gt;12&lt;&#x2F;i&gt;" aria-invalid="true" aria-describedby="erreur-nom" id="champ-nom"><span class="erreur-champ" id="erreur-nom">&lt;b&gt;lettres"#), "{f}");
        assert!(
            f.contains(r#"<input name="ville" value="Rennes" disabled>"#),
            "a field not sent keeps the record's: {f}"
        );
        // Boxes as sent (none for CP), the list left alone keeps the record's choice.
        assert!(f.contains(r#"value="CP">"#) && f.contains(r#"value="CE1" checked>"#), "{f}");
        assert!(f.contains(r#"value="b" selected>"#), "{f}");
        // The other form, same names: the record's values, nothing marked.
        assert!(g.contains(r#"<input name="nom" value="Durand">"#) && !g.contains("aria-invalid"), "{g}");
        assert!(g.contains(r#"value="CP" checked>"#) && g.contains(r#"value="CE1">"#), "{g}");
    }

    #[test]
    fn a_page_drawn_without_a_refusal_shows_the_record_and_no_summary() {
        let html = rendre(FORMULAIRES, None);
        assert!(!html.contains("erreurs") && !html.contains("aria-invalid"), "{html}");
        assert_eq!(html.matches(r#"value="Durand""#).count(), 2);
        let lignes = Refuse { liens: false, ..refuse(&[("a", "x"), ("b", "y")], &[]) };
        let html = rendre(FORMULAIRES, Some(&lignes));
        assert!(
            html.contains("2 champs à corriger") && html.contains("<li>X</li>"),
            "no link to a form not on the page: {html}"
        );
    }
}

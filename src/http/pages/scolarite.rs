//! The pages of the school year: a director creates classes and places pupils, follows the
//! passage and radiates, a family answers a passage proposal, the IA-DASEN makes the rentrée.
//! Every form calls the same use case as the JSON API, through `crate::http::service`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use time::Date;

use crate::auth::Acteur;
use crate::domain::Document;
use crate::domain::ErreurChamp;
use crate::domain::identite::{date_fr, parse_date};
use crate::domain::parcours::{EtatInscription, MotifRadiation, Passage, Reponse, TypePassage};
use crate::domain::{ClasseId, EcoleId, EleveId};
use crate::domain::{EtatScolarite, Niveau};
use crate::http::api::parcours;
use crate::http::etat::{AppState, Inner};
use crate::http::extraction::Soumis;
use crate::http::extraction::{Id, IdEt};
use crate::http::pages::parcours::{
    ChoixId, Confirmation, FormulaireSoumis, PageDe, Sortie, bilan, choix_classe, etape, etape_formulaire, fait, refus,
    reprendre,
};
use crate::http::pages::{Choix, avec_moi, ligne_vue};
use crate::http::session::Visiteur;
use crate::http::{Error, blocking};
use crate::policy::{Action, Champs, Ressource};
use crate::store::{classes, territoires};

// Répartition -----------------------------------------------------------------------------------

/// What the school page adds for those who manage it: unplaced pupils, the forms, the counts.
pub(in crate::http) fn gestion_ecole(
    s: &Inner,
    a: &Acteur,
    e: &territoires::EcoleResume,
    classes: &[classes::ClasseResume],
) -> Result<GestionEcole, Error> {
    let ecole = &e.id;
    let gerer = a.decision(Ressource::Eleve, Action::Modifier).autorise();
    let champs = a.decision(Ressource::Eleve, Action::Lister).champs();
    let mut g = GestionEcole {
        gerer,
        registre: a.decision(Ressource::Document(Document::RegistreEleves), Action::Imprimer).autorise(),
        niveaux: Niveau::ALL.iter().filter(|n| e.type_ecole.admet(**n)).map(|n| n.code()).collect(),
        inscriptions_attendues: None,
        non_repartis: None,
        provisoires: None,
        classes_choix: None,
    };
    if a.decision(Ressource::Inscription, Action::Lister).autorise() {
        g.inscriptions_attendues =
            Some(crate::http::contexte(s, a).compter_inscriptions(ecole, EtatInscription::Inscrit)?);
    }
    if gerer && !champs.is_empty() {
        let l = crate::http::contexte(s, a).non_repartis(ecole)?;
        g.non_repartis = Some(l.as_array().map(|l| l.iter().map(ligne_vue).collect()).unwrap_or_default());
        let l = crate::http::contexte(s, a).provisoires(ecole)?;
        g.provisoires = Some(l.as_array().map(|l| l.iter().map(ligne_vue).collect()).unwrap_or_default());
        g.classes_choix = Some(classes.iter().map(choix_classe).collect());
    }
    Ok(g)
}

/// What the school page adds for those who manage it.
#[derive(Debug, Serialize)]
pub(in crate::http) struct GestionEcole {
    gerer: bool,
    registre: bool,
    niveaux: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inscriptions_attendues: Option<usize>,
    /// The use case's projected lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    non_repartis: Option<Vec<Value>>,
    /// The use case's projected lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    provisoires: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    classes_choix: Option<Vec<ChoixId>>,
}

pub(in crate::http) async fn creer_classe(
    State(state): State<AppState>,
    Id(ecole): Id<EcoleId>,
    Soumis(v, sa): Soumis,
) -> Sortie {
    let retour = format!("/ecoles/{ecole}");
    let action = format!("/ecoles/{ecole}/classes");
    let page = PageDe::Ecole(ecole.clone());
    let f = FormulaireSoumis { saisie: &sa, action: &action, page: &page };
    let niveaux = match sa.tous("niveaux").into_iter().map(parcours::niveau).collect::<Result<Vec<_>, _>>() {
        Ok(n) => n,
        Err(e) => return reprendre(&state, &v, e.avec_champ("niveaux"), f, (&retour, "Retour à l'école")).await,
    };
    let (libelle, enseignant) = (sa.texte("libelle"), sa.opt("enseignant"));
    let e2 = ecole.clone();
    etape_formulaire(
        &state,
        &v,
        f,
        (&retour, "Retour à l'école"),
        move |c| c.creer_classe(&e2, &libelle, &niveaux, enseignant.as_deref()),
        |r| fait(&state, &v, &retour, "classe", &r.avertissements),
    )
    .await
}

pub(in crate::http) async fn placer(
    State(state): State<AppState>,
    Id(ecole): Id<EcoleId>,
    Soumis(v, sa): Soumis,
) -> Sortie {
    let ecole_page = format!("/ecoles/{ecole}");
    // Back to the page the form came from: the school, or the class the pupils left.
    let (retour, page) = match sa.get("depuis").map(parcours::classe_id) {
        Some(Ok(depuis)) => (format!("/classes/{depuis}"), PageDe::Classe(depuis.clone())),
        _ => (ecole_page.clone(), PageDe::Ecole(ecole.clone())),
    };
    let action = format!("/ecoles/{ecole}/placements");
    let f = FormulaireSoumis { saisie: &sa, action: &action, page: &page };
    let back = (retour.as_str(), "Retour");
    let classe = match sa.get("classe_id").map(parcours::classe_id) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => return refus(&state, &v, e, &ecole_page, "Retour à l'école"),
        None => None,
    };
    let eleves = match sa.tous("eleves").into_iter().map(parcours::eleve_id).collect::<Result<Vec<_>, _>>() {
        Ok(l) => l,
        Err(e) => return refus(&state, &v, e, &retour, "Retour"),
    };
    // Both checked, both refusals shown.
    let mut manque = Vec::new();
    if classe.is_none() {
        manque.push(ErreurChamp { champ: "classe_id".into(), message: "classe : choisissez-la".into() });
    }
    if eleves.is_empty() || eleves.len() > 60 {
        manque.push(ErreurChamp { champ: "eleves".into(), message: "élèves : cochez-en de 1 à 60".into() });
    }
    let Some(classe) = classe.filter(|_| manque.is_empty()) else {
        return reprendre(&state, &v, Error::champs(manque), f, back).await;
    };
    etape_formulaire(
        &state,
        &v,
        f,
        back,
        move |c| c.placer(&classe, &eleves),
        |w| fait(&state, &v, &retour, "placement", &w),
    )
    .await
}

// Passage ---------------------------------------------------------------------------------------

/// A passage in a few words, for a class list.
fn resume_passage(p: &Passage, today: Date) -> String {
    if let Some((t, _)) = p.recours_issue {
        return format!("commission : {}", t.libelle());
    }
    if p.recours.is_some() {
        return "recours en cours".into();
    }
    if let Some((t, _)) = p.decision {
        return format!("décidé : {}", t.libelle());
    }
    let Some((t, _)) = p.proposition else { return "—".into() };
    let famille = match (p.reponse, p.position_famille(today)) {
        (Some((Reponse::Conteste, _)), _) => "la famille conteste".to_string(),
        (Some((Reponse::Accepte, _)), _) => "la famille accepte".to_string(),
        (None, Some(_)) => "sans réponse : accepté".to_string(),
        (None, None) => format!("réponse attendue avant le {}", p.limite_reponse().map(date_fr).unwrap_or_default()),
    };
    format!("proposé : {} ({famille})", t.libelle())
}

/// What the class page adds: each pupil's passage and the forms.
pub(in crate::http) fn gestion_classe(
    s: &Inner,
    a: &Acteur,
    classe: &classes::ClasseResume,
) -> Result<GestionClasse, Error> {
    let passages = a.decision(Ressource::Passage, Action::Lire).autorise();
    let gerer = a.decision(Ressource::Passage, Action::Modifier).autorise();
    let today = s.clock.today();
    let mut g = GestionClasse {
        gerer: gerer && a.decision(Ressource::Eleve, Action::Modifier).autorise(),
        lettres: a.decision(Ressource::Document(Document::NotificationPassage), Action::Imprimer).autorise(),
        passages: None,
        types: None,
        deplacer: None,
        autres_classes: None,
    };
    if passages {
        let m = crate::http::contexte(s, a)
            .passages_de_classe(&classe.id)?
            .into_iter()
            .map(|(id, p)| (id, resume_passage(&p, today)))
            .collect();
        g.passages = Some(m);
        g.types = Some(Choix::de(&TypePassage::TOUS, |t| t.code(), |t| t.libelle()));
    }
    if gerer {
        let autres = crate::http::contexte(s, a).classes(&classe.ecole_id, Some(classe.annee))?;
        g.deplacer = Some(autres.len() > 1);
        g.autres_classes = Some(autres.iter().filter(|k| k.id != classe.id).map(choix_classe).collect());
    }
    Ok(g)
}

/// What the class page adds: each pupil's passage (by pupil id) and the forms.
#[derive(Debug, Serialize)]
pub(in crate::http) struct GestionClasse {
    gerer: bool,
    lettres: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    passages: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    types: Option<Vec<Choix>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deplacer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    autres_classes: Option<Vec<ChoixId>>,
}

pub(in crate::http) async fn proposer_classe(
    State(state): State<AppState>,
    Id(classe): Id<ClasseId>,
    Soumis(v, sa): Soumis,
) -> Sortie {
    let retour = format!("/classes/{classe}");
    let defaut = match TypePassage::parse(sa.get("defaut").unwrap_or("passage")) {
        Ok(t) => t,
        Err(r) => return refus(&state, &v, parcours::refus(r, "defaut"), &retour, "Retour à la classe"),
    };
    let exceptions = Default::default();
    etape(
        &state,
        &v,
        (&retour, "Retour à la classe"),
        move |c| c.proposer_classe(&classe, defaut, &exceptions),
        |_| fait(&state, &v, &retour, "propositions", &[]),
    )
    .await
}

pub(in crate::http) async fn decider_classe(
    State(state): State<AppState>,
    Id(classe): Id<ClasseId>,
    Soumis(v, _): Soumis,
) -> Sortie {
    let retour = format!("/classes/{classe}");
    etape(
        &state,
        &v,
        (&retour, "Retour à la classe"),
        move |c| c.decider_classe(&classe),
        |(n, restent)| {
            let message = match n {
                0 => "Aucune famille de la classe n'est d'accord avec la proposition, ou sans réponse depuis quinze jours : rien n'a été décidé.".to_string(),
                1 => "Une décision de passage arrêtée : la proposition, acceptée par la famille ou sans réponse depuis quinze jours.".to_string(),
                n => format!("{n} décisions de passage arrêtées : les propositions acceptées par les familles ou sans réponse depuis quinze jours."),
            };
            let titre = if n == 0 { "Aucune décision arrêtée" } else { "Décisions arrêtées" };
            bilan(&state, &v, &retour, (titre, &message), ("Reste à décider", &restent))
        },
    )
    .await
}

// The pupil's steps -----------------------------------------------------------------------------

/// What the pupil's page adds: the current record's state, the passage, and the steps the actor
/// may take now (the domain still decides: a form shown is not a promise).
pub(in crate::http) fn demarches_eleve(
    a: &Acteur,
    champs: Champs,
    today: Date,
    lu: Option<(crate::store::parcours::Fiche, Option<crate::domain::parcours::Passage>)>,
    annulable: bool,
) -> Demarches {
    let gerer = a.decision(Ressource::Eleve, Action::Modifier).autorise();
    let decider = a.decision(Ressource::Passage, Action::Modifier).autorise();
    let repondre = a.decision(Ressource::ReponseFamille, Action::Modifier).autorise();
    let Some((fiche, passage)) = lu else {
        return Demarches { certificat_radiation: None, suivi: None };
    };
    let certificat_radiation = fiche.etat == EtatScolarite::Radie
        && a.decision(Ressource::Document(Document::CertificatRadiation), Action::Imprimer).autorise();
    if !champs.contient(Champs::SCOLARITE) {
        // The mairie receives its copy of the certificat de radiation, and sees nothing else here.
        return Demarches { certificat_radiation: Some(certificat_radiation), suivi: None };
    }
    let present = matches!(fiche.etat, EtatScolarite::AdmisProvisoire | EtatScolarite::AdmisDefinitif);
    let etape = |(libelle, d): (&'static str, Date)| Etape { libelle, le: date_fr(d) };
    let passage = passage.map(|p| {
        let dans_delai = |limite: Option<Date>| limite.is_some_and(|l| today <= l);
        VuePassage {
            proposition: p.proposition.map(|(t, d)| etape((t.libelle(), d))),
            limite_reponse: p.limite_reponse().map(date_fr),
            reponse: p.reponse.map(|(r, d)| etape((r.libelle(), d))),
            silence: p.proposition.is_some() && p.reponse.is_none() && !dans_delai(p.limite_reponse()),
            decision: p.decision.map(|(t, d)| etape((t.libelle(), d))),
            limite_recours: p.limite_recours().map(date_fr),
            recours: p.recours.map(date_fr),
            commission: p.recours_issue.map(|(t, d)| etape((t.libelle(), d))),
            proposer: present && decider && p.decision.is_none(),
            repondre: present
                && repondre
                && p.proposition.is_some()
                && p.reponse.is_none()
                && dans_delai(p.limite_reponse()),
            decider: present && decider && p.proposition.is_some() && p.decision.is_none(),
            recours_possible: present
                && decider
                && p.decision.is_some()
                && p.recours.is_none()
                && dans_delai(p.limite_recours()),
            trancher: present && decider && p.recours.is_some() && p.recours_issue.is_none(),
            lettre: p.proposition.is_some()
                && a.decision(Ressource::Document(Document::NotificationPassage), Action::Imprimer).autorise(),
        }
    });
    Demarches {
        certificat_radiation: Some(certificat_radiation),
        suivi: Some(Suivi {
            etat: fiche.etat.libelle(),
            provisoire: fiche.etat == EtatScolarite::AdmisProvisoire,
            pieces: fiche.pieces.iter().map(|p| p.libelle()).collect(),
            quitte: fiche.quitte,
            gerer: gerer && present,
            radie: fiche.etat == EtatScolarite::Radie,
            annuler_radiation: fiche.etat == EtatScolarite::Radie && annulable,
            motifs: Choix::de(&MotifRadiation::TOUS, |m| m.code(), |m| m.libelle()),
            types: Choix::de(&TypePassage::TOUS, |t| t.code(), |t| t.libelle()),
            aujourdhui: today.to_string(),
            passage,
        }),
    }
}

/// The steps of a pupil's page: none (no record this year), the certificat de radiation only
/// (the mairie), or the schooling's state, the passage and the forms.
#[derive(Debug, Serialize)]
pub(in crate::http) struct Demarches {
    #[serde(skip_serializing_if = "Option::is_none")]
    certificat_radiation: Option<bool>,
    #[serde(flatten)]
    suivi: Option<Suivi>,
}

#[derive(Debug, Serialize)]
struct Suivi {
    etat: &'static str,
    provisoire: bool,
    pieces: Vec<&'static str>,
    quitte: bool,
    gerer: bool,
    radie: bool,
    annuler_radiation: bool,
    motifs: Vec<Choix>,
    types: Vec<Choix>,
    aujourdhui: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    passage: Option<VuePassage>,
}

/// A step of the passage and its date.
#[derive(Debug, Serialize)]
struct Etape {
    libelle: &'static str,
    le: String,
}

#[derive(Debug, Serialize)]
struct VuePassage {
    proposition: Option<Etape>,
    limite_reponse: Option<String>,
    reponse: Option<Etape>,
    silence: bool,
    decision: Option<Etape>,
    limite_recours: Option<String>,
    recours: Option<String>,
    commission: Option<Etape>,
    proposer: bool,
    repondre: bool,
    decider: bool,
    recours_possible: bool,
    trancher: bool,
    lettre: bool,
}

pub(in crate::http) async fn demarche(
    State(state): State<AppState>,
    IdEt(eleve, nom): IdEt<EleveId>,
    Soumis(v, sa): Soumis,
) -> Sortie {
    let retour = format!("/eleves/{eleve}");
    let back = (retour.as_str(), "Retour à la fiche de l'élève");
    let type_passage =
        || TypePassage::parse(sa.get("type").unwrap_or_default()).map_err(|r| parcours::refus(r, "type"));
    let e = eleve.clone();
    // Every step's result is dropped: the page shows the record again.
    let (st, vi, re) = (&state, &v, retour.as_str());
    let ok = |code: &'static str| move |()| fait(st, vi, re, code, &[]);
    match nom.as_str() {
        "completer" => etape(&state, &v, back, move |c| c.completer(&e).map(drop), ok("complete")).await,
        "proposition" | "decision" | "commission" => {
            let t = match type_passage() {
                Ok(t) => t,
                Err(err) => return refus(&state, &v, err, &retour, back.1),
            };
            let n = nom.clone();
            let pas = move |c: &crate::service::Service<'_>| {
                match n.as_str() {
                    "proposition" => c.proposer(&e, t),
                    "decision" => c.decider(&e, t),
                    _ => c.trancher(&e, t),
                }
                .map(drop)
            };
            etape(&state, &v, back, pas, ok("passage")).await
        }
        "reponse" => {
            let rep = match Reponse::parse(sa.get("reponse").unwrap_or_default()) {
                Ok(x) => x,
                Err(r) => return refus(&state, &v, parcours::refus(r, "reponse"), &retour, back.1),
            };
            etape(&state, &v, back, move |c| c.repondre(&e, rep).map(drop), ok("passage")).await
        }
        "recours" => etape(&state, &v, back, move |c| c.former_recours(&e).map(drop), ok("passage")).await,
        "depart" => {
            let action = format!("/eleves/{eleve}/demarches/depart");
            let page = PageDe::Eleve(eleve.clone());
            let f = FormulaireSoumis { saisie: &sa, action: &action, page: &page };
            let destination = match crate::http::api::scolarite::texte_court("destination", sa.get("destination")) {
                Ok(d) => d,
                Err(err) => return reprendre(&state, &v, err, f, back).await,
            };
            let quitte = sa.get("quitte") != Some("non");
            etape_formulaire(
                &state,
                &v,
                f,
                back,
                move |c| c.quitter(&e, quitte, destination.as_deref()).map(drop),
                ok("depart"),
            )
            .await
        }
        "radiation" => {
            let action = format!("/eleves/{eleve}/demarches/radiation");
            let page = PageDe::Eleve(eleve.clone());
            let f = FormulaireSoumis { saisie: &sa, action: &action, page: &page };
            // Every field checked, every refusal shown beside its field.
            let mut er = crate::domain::Erreurs::default();
            let motif = er.garder("motif", MotifRadiation::parse(sa.get("motif").unwrap_or_default()));
            let date = er.garder("date", parse_date("date de radiation", sa.get("date").unwrap_or_default()));
            let destination = er.garder(
                "destination",
                crate::domain::identite::nettoyer_facultatif("destination", sa.get("destination"), 150),
            );
            let lu = er.finir().and_then(|()| {
                use crate::domain::tenu;
                Ok((tenu(motif, "motif")?, tenu(date, "date")?, tenu(destination, "destination")?))
            });
            let (motif, date, destination) = match lu {
                Ok(x) => x,
                Err(err) => return reprendre(&state, &v, err.into(), f, back).await,
            };
            if sa.get("confirme") != Some("oui") {
                // An irreversible step: a page says what will happen before anything is done,
                // once the use case's own rules pass (a date before the admission is refused
                // on the form, not after the confirmation).
                let e2 = e.clone();
                if let Err(err) =
                    crate::http::service(&state, v.acteur.clone(), move |c| c.verifier_radiation(&e2, date)).await
                {
                    return reprendre(&state, &v, err, f, back).await;
                }
                return confirmer_radiation(&state, v, &e, motif, date, destination).await;
            }
            etape_formulaire(
                &state,
                &v,
                f,
                back,
                move |c| c.radier(&e, motif, date, destination.as_deref()).map(drop),
                ok("radiation"),
            )
            .await
        }
        "annulation-radiation" => {
            etape(&state, &v, back, move |c| c.annuler_radiation(&e).map(drop), ok("radiation_annulee")).await
        }
        _ => Err(Error::introuvable("démarche").into()),
    }
}

async fn confirmer_radiation(
    state: &AppState,
    v: Visiteur,
    eleve: &crate::domain::EleveId,
    motif: MotifRadiation,
    date: Date,
    destination: Option<String>,
) -> Sortie {
    let e = eleve.clone();
    let html = blocking(state, move |s| {
        // Read through the same use case as the pupil's page (perimeter, journal).
        let fiche = crate::http::contexte(s, &v.acteur).eleve(&e, None)?;
        let nom = format!(
            "{} {}",
            fiche["eleve"]["prenoms"].as_str().unwrap_or_default(),
            fiche["eleve"]["nom"].as_str().unwrap_or_default()
        );
        let mut resume = vec![("Élève", nom.clone()), ("Motif", motif.libelle().to_string()), ("Date d'effet", date_fr(date))];
        if let Some(d) = &destination {
            resume.push(("Destination", d.clone()));
        }
        let page = Confirmation {
            titre: "Confirmer la radiation",
            retour: format!("/eleves/{e}"),
            retour_libelle: nom,
            resume,
            consequences: vec![
                "l'élève ne fera plus partie de l'école ni de sa classe à la date d'effet ; son dossier et sa scolarité restent (une radiation n'efface rien) ;".into(),
                "le certificat de radiation pourra être imprimé pour la famille, et la mairie en reçoit copie ;".into(),
                "une radiation saisie par erreur ne peut être annulée qu'aujourd'hui, et seulement par vous.".into(),
            ],
            action: format!("/eleves/{e}/demarches/radiation"),
            champs: vec![
                ("motif", motif.code().to_string()),
                ("date", date.to_string()),
                ("destination", destination.unwrap_or_default()),
            ],
            bouton: "Radier l'élève",
        };
        s.pages.render("confirmation.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html).into_response())
}

// Rentrée ---------------------------------------------------------------------------------------

fn rendre_rentree(s: &Inner, v: &Visiteur, message: Option<&str>) -> Result<String, Error> {
    let svc = crate::http::contexte(s, &v.acteur);
    let (annee, departement) = (svc.annee()?, svc.nom_territoire()?);
    #[derive(Serialize)]
    struct PageRentree<'a> {
        annee: String,
        suivante: String,
        departement: Option<String>,
        message: Option<&'a str>,
    }
    let page = PageRentree { annee: annee.to_string(), suivante: annee.suivante().to_string(), departement, message };
    s.pages.render("rentree.html", &avec_moi(v, page))
}

pub(in crate::http) async fn page_rentree(State(state): State<AppState>, v: Visiteur) -> Sortie {
    v.acteur.autoriser(Ressource::Annee, Action::Modifier, state.clock.now())?;
    let html = blocking(&state, move |s| rendre_rentree(s, &v, None)).await?;
    Ok(Html(html).into_response())
}

pub(in crate::http) async fn rentree(State(state): State<AppState>, Soumis(v, sa): Soumis) -> Sortie {
    v.acteur.autoriser(Ressource::Annee, Action::Modifier, state.clock.now())?;
    if !sa.coche("confirmation") {
        let html = blocking(&state, move |s| {
            rendre_rentree(s, &v, Some("Cochez la case de confirmation : la rentrée ne se défait pas."))
        })
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    match crate::http::api::scolarite::faire_rentree(&state, v.acteur.clone()).await {
        Ok(bilan) => {
            #[derive(Serialize)]
            struct Bilan<B> {
                bilan: B,
            }
            let html = state.pages.render("rentree.html", &avec_moi(&v, Bilan { bilan }))?;
            Ok(Html(html).into_response())
        }
        Err(e) => refus(&state, &v, e, "/", "Retour à l'accueil"),
    }
}

//! Browser tests: the journeys the issue asks to see, in headless Chromium driven over WebDriver
//! (chromedriver, through fantoccini), against the real binary serving a demonstration base.
//!
//! One test, so that each account logs in once (a TOTP code serves once per account and 30 s
//! step): the family's view first, then the mairie registers a child (and a form with three
//! errors), the school admits it, prints its certificat de scolarité and radiates another pupil
//! after a confirmation page, an IEN is refused a pupil of another circonscription, and a new
//! director activates her account through the académie's identity service (oidc-provider,
//! started by the bench) on its own login page, logs out there too, and signs in again. axe-core
//! checks each main page (serious and critical violations fail the test) and screenshots go to
//! target/captures/.
//!
//! Needs chromium, chromedriver and axe-core (installed by `scripts/outils`); `CHROMEDRIVER`,
//! `CHROMIUM` and `AXE_CORE_JS` override their paths. Run alone with
//! `cargo test --test navigateur -- --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_debug_implementations)]

mod banc;
mod fenetre;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::Locator;
use serde_json::json;

use banc::Banc;
use fenetre::{ATTENTE, Fenetre};

/// A pupil's page, as linked.
const FICHE: &str = "^/eleves/[^/?#]+$";
/// The mairie's registration form and its button.
const FORMULAIRE: &str = "main form[action='/inscriptions/nouvelle']";
const ENREGISTRER: &str = "main form[action='/inscriptions/nouvelle'] button[type='submit']";

/// The child the mairie registers and the school admits.
struct Enfant {
    /// Letters only, unique to the run.
    nom: String,
    /// The school directeur.1 runs, designated by mairie.1.
    ecole_id: String,
}

/// What the registration form receives.
struct Saisie<'a> {
    nom: &'a str,
    prenoms: &'a str,
    naissance: &'a str,
    code_postal: &'a str,
    niveau: &'a str,
    ecole_id: &'a str,
    responsable: &'a str,
}

/// `n` written in `combien` capital letters (names are made of letters).
fn lettres(mut n: u64, combien: usize) -> String {
    (0..combien)
        .map(|_| {
            let c = char::from(b'A' + u8::try_from(n % 26).unwrap());
            n /= 26;
            c
        })
        .collect()
}

#[tokio::test]
async fn parcours_dans_le_navigateur() {
    let banc = Banc::demarrer().await;
    let horloge = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let suffixe = lettres(horloge.as_secs() ^ u64::from(horloge.subsec_nanos()), 6);
    let enfant = Enfant { nom: format!("NAVIGATEUR{suffixe}"), ecole_id: banc.perimetre("directeur.1") };

    let enfants_de_la_famille = famille(&banc).await;
    mairie(&banc, &enfant, &suffixe).await;
    let (admis, _radie) = direction(&banc, &enfant, &enfants_de_la_famille).await;
    let ailleurs = eleve_d_une_autre_circonscription(&banc).await;
    ien(&banc, &ailleurs, &admis, &enfant).await;
    identite(&banc).await;
    verification_annuelle(&banc).await;

    let violations = banc.violations.lock().unwrap().clone();
    assert!(
        violations.is_empty(),
        "axe-core : {} violation(s) graves ou critiques des WCAG 2.1 A/AA :\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// parent.1: the home page lists the children, and a child's page opens (without the school's
/// steps). Returns the children's pages, which the school's journey leaves alone.
async fn famille(banc: &Banc) -> Vec<String> {
    let f = banc.connecter("parent.1").await;
    f.attendre("main h1").await;
    f.accessibilite("accueil (famille)").await;
    let enfants = f.liens(FICHE).await;
    assert!(!enfants.is_empty(), "aucun enfant sur l'accueil de la famille\n{}", f.contexte().await);
    f.aller(&enfants[0]).await;
    f.attendre("main h1").await;
    assert!(
        !f.present("main form[action$='/demarches/radiation']").await,
        "une famille ne peut pas radier son enfant\n{}",
        f.contexte().await
    );
    f.accessibilite("fiche d'un enfant (famille)").await;
    f.capture("famille-fiche-enfant").await;
    f.fermer().await;
    enfants
}

/// The year the school year chosen by default starts, and the level (with the age reached
/// that year) fitting the designated school, read from the registration form.
async fn annee_et_niveau(f: &Fenetre<'_>, ecole_id: &str) -> (i32, &'static str, i32) {
    let annee = f.valeur(&f.champ("annee").await).await;
    let debut: i32 =
        annee.get(..4).and_then(|a| a.parse().ok()).unwrap_or_else(|| panic!("année scolaire « {annee} »"));
    let options = f.tous(&format!("main select[name='ecole_id'] option[value='{ecole_id}']")).await;
    let Some(option) = options.first() else {
        let contexte = f.contexte().await;
        panic!("l'école de directeur.1 ({ecole_id}) n'est pas proposée à mairie.1\n{contexte}");
    };
    let libelle = option.prop("text").await.unwrap().unwrap_or_default();
    if libelle.contains("lémentaire") { (debut, "CP", 6) } else { (debut, "PS", 3) }
}

async fn remplir_inscription(f: &Fenetre<'_>, s: &Saisie<'_>) {
    f.remplir("eleve_nom", s.nom).await;
    f.remplir("eleve_prenoms", s.prenoms).await;
    f.choisir("eleve_sexe", "F").await;
    f.poser("eleve_date_naissance", s.naissance).await;
    f.remplir("eleve_naissance_insee", "35238").await;
    f.remplir("eleve_naissance_lieu", "Rennes").await;
    f.remplir("eleve_code_postal", s.code_postal).await;
    f.choisir("niveau", s.niveau).await;
    f.choisir("ecole_id", s.ecole_id).await;
    f.choisir("r1_civilite", "Mme").await;
    f.remplir("r1_nom", s.responsable).await;
    f.remplir("r1_prenom", "Claire").await;
    f.choisir("r1_lien", "mere").await;
    f.remplir("r1_tel_portable", "0612345678").await;
}

/// mairie.1: a form with three errors (each beside its field, the input kept, nothing saved),
/// then a child registered, confirmed, and its certificat d'inscription printed.
async fn mairie(banc: &Banc, enfant: &Enfant, suffixe: &str) {
    let f = banc.connecter("mairie.1").await;
    f.attendre("main h1").await;
    f.accessibilite("accueil (mairie)").await;

    // Values HTML accepts (required, pattern, maxlength) and the server refuses.
    f.aller("/inscriptions/nouvelle").await;
    f.attendre(FORMULAIRE).await;
    let (annee, niveau, age) = annee_et_niveau(&f, &enfant.ecole_id).await;
    let prenom_refuse = format!("Refus{}", suffixe.to_lowercase());
    let futur = format!("{}-01-01", annee + 5);
    let erreurs = [("eleve_nom", "1234"), ("eleve_date_naissance", futur.as_str()), ("eleve_code_postal", "123")];
    let saisie = Saisie {
        nom: "1234",
        prenoms: &prenom_refuse,
        naissance: &futur,
        code_postal: "123",
        niveau,
        ecole_id: &enfant.ecole_id,
        responsable: "DURAND",
    };
    remplir_inscription(&f, &saisie).await;
    f.cliquer(ENREGISTRER).await;
    let resume = f.attendre("#erreurs").await;
    assert_eq!(f.chemin().await, "/inscriptions/nouvelle");
    assert_eq!(resume.attr("role").await.unwrap().as_deref(), Some("alert"), "le résumé des erreurs est une alerte");
    let items = f.tous("#erreurs li").await;
    assert_eq!(items.len(), 3, "une ligne par champ refusé dans le résumé\n{}", f.contexte().await);
    let invalides = f.tous("main [aria-invalid='true']").await;
    assert_eq!(invalides.len(), 3, "exactement trois champs en erreur\n{}", f.contexte().await);
    for (nom, saisi) in erreurs {
        let champ = f.champ(nom).await;
        assert_eq!(
            champ.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true"),
            "{nom} n'est pas marqué en erreur"
        );
        let id = format!("erreur-{nom}");
        let decrit = champ.attr("aria-describedby").await.unwrap().unwrap_or_default();
        assert!(decrit.split_whitespace().any(|x| x == id), "{nom} : aria-describedby vaut « {decrit} », pas {id}");
        let message = f.attendre(&format!("#{id}")).await;
        let classes = message.attr("class").await.unwrap().unwrap_or_default();
        assert!(classes.split_whitespace().any(|c| c == "erreur-champ"), "#{id} : classe « {classes} »");
        let texte = message.text().await.unwrap();
        assert!(!texte.trim().is_empty(), "#{id} : message vide");
        let a_cote = f
            .js(
                "const [c, m] = arguments; const l = c.closest('label'); \
                 return c.nextElementSibling === m && !!l && l.contains(m);",
                vec![serde_json::to_value(&champ).unwrap(), serde_json::to_value(&message).unwrap()],
            )
            .await;
        assert_eq!(a_cote, json!(true), "#{id} (« {texte} ») n'est pas juste après {nom}, dans son étiquette");
        assert_eq!(f.valeur(&champ).await, saisi, "{nom} : la saisie n'est pas gardée");
    }
    f.accessibilite("formulaire d'inscription avec trois erreurs").await;
    f.capture("formulaire-erreurs").await;
    f.aller("/inscriptions").await;
    let liste = f.texte("main").await;
    assert!(!liste.contains(&prenom_refuse), "une inscription refusée a été enregistrée :\n{liste}");

    // The child registered.
    f.aller("/inscriptions/nouvelle").await;
    f.attendre(FORMULAIRE).await;
    let naissance = format!("{}-03-14", annee - age);
    let saisie = Saisie {
        nom: &enfant.nom,
        prenoms: "Jeanne Marie",
        naissance: &naissance,
        code_postal: "",
        niveau,
        ecole_id: &enfant.ecole_id,
        responsable: &enfant.nom,
    };
    remplir_inscription(&f, &saisie).await;
    f.cliquer(ENREGISTRER).await;
    // Known pupils who could be this child: say it is another one, once.
    let debut = Instant::now();
    let mut homonymes = false;
    while f.chemin().await != "/inscriptions" {
        if !homonymes && f.present("main input[name='confirmer_nouveau']").await {
            homonymes = true;
            f.cliquer("main input[name='confirmer_nouveau']").await;
            f.cliquer(ENREGISTRER).await;
        } else if debut.elapsed() > ATTENTE {
            let contexte = f.contexte().await;
            panic!("l'inscription de {} n'est pas enregistrée\n{contexte}", enfant.nom);
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    f.attendre("main p.confirmation").await;
    let ligne = format!("//main//tbody/tr[td[1][contains(normalize-space(.), '{}')]]", enfant.nom);
    f.attendre_xpath(&format!("{ligne}//form[contains(@action, '/confirmer')]//button")).await.click().await.unwrap();
    let certificat =
        f.attendre_xpath(&format!("{ligne}//a[contains(@href, '/documents/certificat-inscription')]")).await;
    f.verifier_pdf(&certificat, "certificat d'inscription").await;
    f.accessibilite("liste des inscriptions (mairie)").await;
    f.fermer().await;
}

/// directeur.1: admits the registered child into a class and prints its certificat de
/// scolarité; visits the school and the class; radiates another pupil, through the
/// confirmation page. Returns the admitted child's page and the radiated pupil's.
async fn direction(banc: &Banc, enfant: &Enfant, famille: &[String]) -> (String, String) {
    let f = banc.connecter("directeur.1").await;
    f.attendre("main h1").await;
    f.accessibilite("accueil (direction d'école)").await;
    f.capture("accueil-directeur").await;
    f.tient_dans(360, "l'accueil").await;

    f.aller("/inscriptions").await;
    let ligne = format!("//main//tbody/tr[td[1][contains(normalize-space(.), '{}')]]", enfant.nom);
    f.attendre_xpath(&format!("{ligne}//a[contains(@href, '/admission')]")).await.click().await.unwrap();
    f.attendre("main form[action$='/admission']").await;
    let mut classe = None;
    for option in f.tous("main select[name='classe_id'] option").await {
        let valeur = option.attr("value").await.unwrap().unwrap_or_default();
        if !valeur.is_empty() {
            classe = Some((valeur, option.prop("text").await.unwrap().unwrap_or_default()));
            break;
        }
    }
    let Some((classe_id, classe_libelle)) = classe else {
        let contexte = f.contexte().await;
        panic!("aucune classe proposée pour l'admission\n{contexte}");
    };
    f.choisir("classe_id", &classe_id).await;
    f.accessibilite("admission d'un élève").await;
    f.cliquer("main form[action$='/admission'] button[type='submit']").await;
    let admis = f.attendre_chemin("la fiche de l'élève admis", |p| p.starts_with("/eleves/")).await;
    let etat = f.etat_eleve(&admis).await;
    let scolarite = etat.lignes.first().cloned().unwrap_or_default();
    assert!(scolarite.len() > 4 && scolarite[4].contains("admis"), "{} n'apparaît pas admis : {etat:?}", enfant.nom);
    assert!(
        !scolarite[3].is_empty() && scolarite[3] != "non réparti" && classe_libelle.starts_with(&scolarite[3]),
        "{} n'est pas dans la classe {classe_libelle} : {etat:?}",
        enfant.nom
    );
    let certificat = f.attendre("main a[href$='/documents/certificat-scolarite']").await;
    f.verifier_pdf(&certificat, "certificat de scolarité").await;

    f.aller(&admis).await;
    f.attendre("main h1").await;
    f.accessibilite("fiche d'un élève (direction d'école)").await;
    f.capture("fiche-eleve").await;
    let ecole = f.attendre("nav.fil a[href^='/ecoles/']").await.attr("href").await.unwrap().unwrap_or_default();
    let page_classe = f.attendre("nav.fil a[href^='/classes/']").await.attr("href").await.unwrap().unwrap_or_default();
    f.aller(&ecole).await;
    f.attendre("main table").await;
    f.accessibilite("page de l'école").await;
    f.aller(&page_classe).await;
    f.attendre("main table").await;
    f.accessibilite("page de la classe").await;

    // An import of the ministry's file, as a dry run (checked by default): the form leads to the
    // import's page, which follows its progress, then shows what the import would do.
    f.aller(&format!("{ecole}/echanges")).await;
    f.attendre("main form[action$='/echanges/import']").await;
    f.accessibilite("échanges de fichiers").await;
    let fichier = std::env::temp_dir().join(format!("registre-navigateur-{}.csv", enfant.nom));
    std::fs::write(
        &fichier,
        format!("Nom élève;Prénom élève;Date naissance;Sexe;Niveau\nESSAI{};Lou;01/02/2022;F;MS\n", enfant.nom),
    )
    .unwrap();
    let envoi = f.attendre("main input[type='file'][name='fichier']").await;
    envoi.send_keys(&fichier.display().to_string()).await.unwrap();
    assert!(
        f.attendre("main input[name='essai']").await.prop("checked").await.unwrap().as_deref() == Some("true"),
        "l'essai est coché par défaut"
    );
    f.cliquer("main form[action$='/echanges/import'] button[type='submit']").await;
    f.attendre_chemin("la page de l'import", |p| p.starts_with("/imports/")).await;
    f.attendre("main h2#rapport").await;
    let rapport = f.texte("main").await;
    assert!(rapport.contains("Essai terminé : rien n'est écrit"), "{rapport}");
    assert!(rapport.contains("Télécharger le rapport complet (CSV)"), "{rapport}");
    f.accessibilite("rapport d'un essai d'import").await;
    f.capture("essai-import").await;
    let _ = std::fs::remove_file(&fichier);
    f.aller(&page_classe).await;
    f.attendre("main table").await;

    // A radiation asks for confirmation first, and writes nothing until then.
    let radie = f
        .liens(FICHE)
        .await
        .into_iter()
        .find(|e| *e != admis && !famille.contains(e))
        .unwrap_or_else(|| panic!("pas d'autre élève dans la classe {page_classe}"));
    f.aller(&radie).await;
    let formulaire = f.attendre("main form[action$='/demarches/radiation']").await;
    let avant = f.etat_eleve(&radie).await;
    assert!(avant.statut == 200 && avant.radiation && !avant.certificat_radiation && !avant.radie(), "{avant:?}");
    let motif = formulaire.find(Locator::Css("select[name='motif']")).await.unwrap();
    assert!(!f.valeur(&motif).await.is_empty(), "pas de motif de radiation proposé");
    let date = formulaire.find(Locator::Css("input[name='date']")).await.unwrap();
    assert!(!f.valeur(&date).await.is_empty(), "la date d'effet n'est pas préremplie");
    formulaire.find(Locator::Css("button[type='submit']")).await.unwrap().click().await.unwrap();
    f.attendre("main form input[name='confirme'][value='oui']").await;
    assert_eq!(f.texte("main h1").await.trim(), "Confirmer la radiation");
    assert_eq!(f.chemin().await, format!("{radie}/demarches/radiation"));
    f.accessibilite("confirmation d'une radiation").await;
    let pendant = f.etat_eleve(&radie).await;
    assert!(
        pendant.radiation && !pendant.certificat_radiation && !pendant.radie(),
        "la radiation est écrite avant d'être confirmée : {pendant:?}"
    );
    f.cliquer("main form[action$='/demarches/radiation'] button[type='submit']").await;
    f.attendre_chemin("la fiche de l'élève radié", |p| p == radie).await;
    f.attendre("main p.confirmation").await;
    let apres = f.etat_eleve(&radie).await;
    assert!(apres.radie() && apres.certificat_radiation && !apres.radiation, "l'élève n'est pas radié : {apres:?}");
    f.accessibilite("fiche d'un élève radié").await;
    f.fermer().await;
    (admis, radie)
}

/// ien.2: a pupil of its circonscription (a school's class's first pupil), which it may open.
async fn eleve_d_une_autre_circonscription(banc: &Banc) -> String {
    let f = banc.connecter("ien.2").await;
    f.attendre("main h1").await;
    f.accessibilite("accueil (IEN, autre circonscription)").await;
    let mut trouve = None;
    'ecoles: for ecole in f.liens("^/ecoles/[^/?#]+$").await {
        f.aller(&ecole).await;
        f.attendre("main h1").await;
        for classe in f.liens("^/classes/[^/?#]+$").await {
            f.aller(&classe).await;
            f.attendre("main h1").await;
            if let Some(e) = f.liens(FICHE).await.into_iter().next() {
                trouve = Some(e);
                break 'ecoles;
            }
        }
    }
    let Some(eleve) = trouve else {
        let contexte = f.contexte().await;
        panic!("aucun élève trouvé dans la circonscription de ien.2\n{contexte}");
    };
    f.aller(&eleve).await;
    f.attendre("main h1").await;
    assert_eq!(f.statut(&eleve).await, 200, "ien.2 ne peut pas ouvrir {eleve}");
    f.fermer().await;
    eleve
}

/// ien.1: opens a pupil of its circonscription, and gets the French « Page introuvable » (404)
/// for a pupil of another one.
async fn ien(banc: &Banc, ailleurs: &str, admis: &str, enfant: &Enfant) {
    let f = banc.connecter("ien.1").await;
    f.attendre("main h1").await;
    f.accessibilite("accueil (IEN)").await;
    f.capture("accueil-ien").await;

    f.aller(admis).await;
    let titre = f.texte("main h1").await;
    assert!(titre.contains(&enfant.nom), "ien.1 n'ouvre pas {admis} ({titre})\n{}", f.contexte().await);
    assert_eq!(f.statut(admis).await, 200);

    f.aller(ailleurs).await;
    let titre = f.texte("main h1").await;
    assert_eq!(titre.trim(), "Page introuvable", "ien.1 ouvre {ailleurs}\n{}", f.contexte().await);
    let titre_page = f.c.title().await.unwrap();
    assert!(titre_page.starts_with("Page introuvable"), "titre de la page : « {titre_page} »");
    assert_eq!(f.statut(ailleurs).await, 404, "{ailleurs} pour ien.1");
    f.accessibilite("page introuvable").await;
    f.fermer().await;
}

/// A director whose account the operator created activates it through the académie's identity
/// service: the activation page offers it, the provider's own login page asks her password,
/// the home page follows without a local code (the provider asserted a second factor).
/// Logging out ends the provider's session too (its confirmation page), back on the login
/// page, from which she signs in again through the provider.
async fn identite(banc: &Banc) {
    let lien = banc.compte_en_attente("directrice.oidc", "directeur", &banc.perimetre("directeur.1"));
    let f = banc.fenetre("directrice.oidc").await;
    f.aller(&lien).await;
    f.attendre("main h1").await;
    f.accessibilite("activation (services d'identité)").await;
    f.cliquer("main a[href^='/connexion/oidc/academie?jeton=']").await;
    for etape in ["activation", "nouvelle connexion"] {
        f.attendre("#login").await;
        assert!(
            f.url().await.starts_with(&banc.emetteur),
            "{etape} : pas chez le service d'identité\n{}",
            f.contexte().await
        );
        f.saisir("#login", "directrice").await;
        f.saisir("#password", "mdp-directrice").await;
        f.cliquer("#connexion").await;
        let chemin = f.attendre_chemin("l'accueil après le service d'identité", |p| p == "/" || p == "/eleves").await;
        assert!(f.url().await.starts_with(&banc.base), "{etape} : {chemin}");
        f.attendre("main h1").await;
        assert!(
            f.present("form[action='/deconnexion']").await,
            "{etape} : pas de session ouverte\n{}",
            f.contexte().await
        );
        if etape == "nouvelle connexion" {
            break;
        }
        f.cliquer("form[action='/deconnexion'] button[type='submit']").await;
        // The provider's confirmation, then back here.
        f.attendre("#deconnexion").await;
        assert!(f.url().await.starts_with(&banc.emetteur), "la déconnexion ne passe pas par le service d'identité");
        f.cliquer("#deconnexion").await;
        f.attendre_chemin("la page de connexion après la déconnexion", |p| p == "/connexion").await;
        f.attendre("main a[href^='/connexion/oidc/academie']").await;
        f.accessibilite("connexion (services d'identité)").await;
        f.capture("connexion-services-identite").await;
        f.cliquer("main a[href^='/connexion/oidc/academie']").await;
    }
    f.fermer().await;
}

/// The yearly check online, at directeur.2's school: the director opens it, parent.2 corrects
/// a phone in its own block and confirms the rest, the director sees the change before/after
/// and accepts it.
async fn verification_annuelle(banc: &Banc) {
    let d = banc.connecter("directeur.2").await;
    let ecole = banc.perimetre("directeur.2");
    d.aller(&format!("/ecoles/{ecole}/verification-annuelle")).await;
    d.attendre("main form[action$='/verification-annuelle'] input[name='fin']").await;
    let fin = (time::OffsetDateTime::now_utc() + time::Duration::days(14)).date();
    d.poser("fin", &fin.to_string()).await;
    d.cliquer("main form[action$='/verification-annuelle'] button[type='submit']").await;
    d.attendre_xpath(&confirmation("Vérification annuelle enregistrée")).await;
    assert!(d.texte("main").await.contains("jusqu'au"), "{}", d.contexte().await);

    let p = banc.connecter("parent.2").await;
    let lien = p.attendre("main ul.a-faire a[href$='/verification-annuelle']").await;
    let page = lien.attr("href").await.unwrap().unwrap_or_default();
    lien.click().await.unwrap();
    p.attendre_chemin("la vérification de la fiche", |c| c == page).await;
    p.attendre("main section[id^='bloc-responsable'] details").await;
    p.accessibilite("vérification annuelle (famille)").await;
    p.cliquer("main section[id^='bloc-responsable'] details summary").await;
    p.remplir("v_tel_portable", "06 12 34 56 78").await;
    p.cliquer("main section[id^='bloc-responsable'] form button[type='submit']").await;
    p.attendre_xpath(&confirmation("Corrections envoyées")).await;
    p.cliquer("main form[action$='/verification-annuelle/confirmation'] button[type='submit']").await;
    p.attendre_xpath(&confirmation("vos corrections attendent la décision de l'école")).await;
    let texte = p.texte("main").await;
    assert!(texte.contains("corrections en attente de la décision de l'école"), "{texte}");
    assert!(texte.contains("06 12 34 56 78"), "the change sent is shown before the school decides: {texte}");
    p.accessibilite("vérification annuelle envoyée (famille)").await;
    p.capture("verification-famille").await;
    let accuse = p.attendre("main a[href$='/documents/accuse-verification']").await;
    p.verifier_pdf(&accuse, "accusé de réception").await;
    p.fermer().await;

    d.aller(&format!("/ecoles/{ecole}/verification-annuelle")).await;
    d.attendre("main table").await;
    d.accessibilite("suivi de la vérification annuelle (direction)").await;
    d.aller(&page).await;
    d.attendre("main form[action$='/decision']").await;
    assert!(d.texte("main table.ecarts").await.contains("06 12 34 56 78"), "{}", d.contexte().await);
    d.accessibilite("vérification d'une fiche (direction)").await;
    d.capture("verification-direction").await;
    d.cliquer("main form[action$='/decision']:has(input[name='decision'][value='accepter']) button").await;
    d.attendre_xpath(&confirmation("Corrections acceptées")).await;
    assert!(!d.present("main form[action$='/decision']").await, "decided once");
    d.fermer().await;
}

/// The page's confirmation once it says `texte` (the page before may have had another one).
fn confirmation(texte: &str) -> String {
    format!("//main//p[contains(@class, 'confirmation') and contains(., \"{texte}\")]")
}

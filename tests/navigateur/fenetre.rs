//! One logged-in browser session and the few gestures the journeys need: go to a page, wait for
//! an element, fill a field, click, read what the page shows, fetch a document with the
//! session's cookies, check accessibility with axe-core, take a screenshot.

use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::banc::Banc;

/// How long a step may take (a page, an element, a navigation) before the journey fails.
pub const ATTENTE: Duration = Duration::from_secs(10);

/// axe-core on the whole document, WCAG 2.0 and 2.1 A and AA rules; the violations only.
const AXE: &str = r"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations'],
}).then(r => done({ok: true, violations: r.violations.map(v => ({
  id: v.id, impact: v.impact || '', help: v.help, aide: v.helpUrl,
  cibles: v.nodes.slice(0, 3).map(n => n.target.flat(Infinity).join(' ')),
}))})).catch(e => done({ok: false, erreur: String(e)}));
";

/// GET with the session's cookies, from the page: status, content type and first bytes.
const DOCUMENT: &str = r"
const [url, done] = arguments;
fetch(url, {credentials: 'same-origin'})
  .then(r => r.arrayBuffer().then(b => done({
    statut: r.status, type: r.headers.get('content-type') || '', taille: b.byteLength,
    debut: String.fromCharCode(...new Uint8Array(b.slice(0, 5))),
  })))
  .catch(e => done({statut: -1, type: '', taille: 0, debut: '', erreur: String(e)}));
";

/// The HTTP status of a GET with the session's cookies.
const STATUT: &str = r"
const [url, done] = arguments;
fetch(url, {credentials: 'same-origin'}).then(r => done(r.status)).catch(e => done(-1));
";

/// A pupil's page read without leaving the current one: whether the radiation form and the
/// certificat de radiation are there, and the cells of the schooling table (the first table).
const ELEVE: &str = r"
const [url, done] = arguments;
fetch(url, {credentials: 'same-origin'}).then(r => r.text().then(t => {
  const d = new DOMParser().parseFromString(t, 'text/html');
  const table = d.querySelector('main table');
  done({
    statut: r.status,
    radiation: !!d.querySelector(`main form[action$='/demarches/radiation']`),
    certificat_radiation: !!d.querySelector(`main a[href$='/documents/certificat-radiation']`),
    lignes: table && table.tBodies[0]
      ? [...table.tBodies[0].rows].map(tr => [...tr.cells].map(c => c.textContent.trim()))
      : [],
  });
})).catch(e => done({statut: -1, erreur: String(e)}));
";

/// The distinct `href`s of the main content's links matching a regular expression.
const LIENS: &str = r"
const re = new RegExp(arguments[0]);
return [...new Set([...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href')))].filter(h => re.test(h));
";

/// What a pupil's page shows, read by [`Fenetre::etat_eleve`].
#[derive(Debug)]
pub struct EtatEleve {
    pub statut: i64,
    /// The radiation form is offered (the pupil attends the school).
    pub radiation: bool,
    /// The certificat de radiation link is offered (the pupil has been radiated).
    pub certificat_radiation: bool,
    /// The schooling table: année, école, niveau, classe, état, admission.
    pub lignes: Vec<Vec<String>>,
}

impl EtatEleve {
    /// Some schooling record is « radié ».
    pub fn radie(&self) -> bool {
        self.lignes.iter().any(|l| l.get(4).is_some_and(|e| e == "radié"))
    }
}

/// A browser session logged in as one account.
pub struct Fenetre<'b> {
    pub c: Client,
    banc: &'b Banc,
    pub login: String,
}

impl<'b> Fenetre<'b> {
    pub fn nouvelle(banc: &'b Banc, c: Client, login: &str) -> Self {
        Self { c, banc, login: login.to_string() }
    }

    /// Where the session is and the start of what it shows, for failure messages.
    pub async fn contexte(&self) -> String {
        let url = match self.c.current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("(adresse illisible : {e})"),
        };
        let texte = self
            .c
            .execute("const m = document.querySelector('main') || document.body; return m ? m.innerText.slice(0, 1500) : '';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        format!("[{}] sur {url} :\n{texte}", self.login)
    }

    /// Opens a page of the server under test (`chemin` starts with `/`).
    pub async fn aller(&self, chemin: &str) {
        let url = format!("{}{chemin}", self.banc.base);
        if let Err(e) = self.c.goto(&url).await {
            panic!("[{}] impossible d'ouvrir {url} : {e}", self.login);
        }
    }

    /// The current page's whole address.
    pub async fn url(&self) -> String {
        self.c.current_url().await.unwrap().to_string()
    }

    /// The current page's path.
    pub async fn chemin(&self) -> String {
        self.c.current_url().await.unwrap().path().to_string()
    }

    /// Waits until the current path is accepted, and returns it.
    pub async fn attendre_chemin(&self, quoi: &str, accepte: impl Fn(&str) -> bool) -> String {
        let debut = Instant::now();
        loop {
            let chemin = self.chemin().await;
            if accepte(chemin.as_str()) {
                return chemin;
            }
            if debut.elapsed() > ATTENTE {
                let contexte = self.contexte().await;
                panic!("{quoi} : toujours sur {chemin} après {} s\n{contexte}", ATTENTE.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn attendre_par(&self, cherche: Locator<'_>, quoi: &str) -> Element {
        match self.c.wait().at_most(ATTENTE).every(Duration::from_millis(100)).for_element(cherche).await {
            Ok(e) => e,
            Err(e) => {
                let contexte = self.contexte().await;
                panic!("{quoi} absent après {} s ({e})\n{contexte}", ATTENTE.as_secs());
            }
        }
    }

    /// The first element matching a CSS selector, waited for.
    pub async fn attendre(&self, css: &str) -> Element {
        self.attendre_par(Locator::Css(css), &format!("« {css} »")).await
    }

    /// The first element matching an XPath expression, waited for.
    pub async fn attendre_xpath(&self, xpath: &str) -> Element {
        self.attendre_par(Locator::XPath(xpath), &format!("« {xpath} »")).await
    }

    /// Every element matching a CSS selector now (none is not an error).
    pub async fn tous(&self, css: &str) -> Vec<Element> {
        self.c.find_all(Locator::Css(css)).await.unwrap()
    }

    pub async fn present(&self, css: &str) -> bool {
        !self.tous(css).await.is_empty()
    }

    /// Types into the element matching `css`, after clearing it.
    pub async fn saisir(&self, css: &str, valeur: &str) {
        let e = self.attendre(css).await;
        e.clear().await.unwrap();
        if !valeur.is_empty() {
            e.send_keys(valeur).await.unwrap_or_else(|err| panic!("[{}] saisie dans « {css} » : {err}", self.login));
        }
    }

    /// The main form's control named `nom`.
    pub async fn champ(&self, nom: &str) -> Element {
        self.attendre(&format!("main [name='{nom}']")).await
    }

    /// Types into the main form's control named `nom`.
    pub async fn remplir(&self, nom: &str, valeur: &str) {
        self.saisir(&format!("main [name='{nom}']"), valeur).await;
    }

    /// Chooses an option by value in the main form's select named `nom`.
    pub async fn choisir(&self, nom: &str, valeur: &str) {
        let choix = self.attendre(&format!("main select[name='{nom}']")).await;
        if let Err(e) = choix.select_by_value(valeur).await {
            let contexte = self.contexte().await;
            panic!("pas d'option « {valeur} » dans la liste {nom} ({e})\n{contexte}");
        }
    }

    /// Sets a control's value by script: what typing into a date input gives depends on the
    /// browser's locale, the value property does not.
    pub async fn poser(&self, nom: &str, valeur: &str) {
        let e = self.champ(nom).await;
        self.js(
            "const [e, v] = arguments; e.value = v; \
             e.dispatchEvent(new Event('input', {bubbles: true})); \
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![serde_json::to_value(&e).unwrap(), json!(valeur)],
        )
        .await;
    }

    pub async fn cliquer(&self, css: &str) {
        let e = self.attendre(css).await;
        e.click().await.unwrap_or_else(|err| panic!("[{}] clic sur « {css} » : {err}", self.login));
    }

    /// A control's current value (the `value` property, not the attribute).
    pub async fn valeur(&self, e: &Element) -> String {
        e.prop("value").await.unwrap().unwrap_or_default()
    }

    /// The rendered text of the first element matching `css`.
    pub async fn texte(&self, css: &str) -> String {
        self.attendre(css).await.text().await.unwrap()
    }

    pub async fn js(&self, script: &str, arguments: Vec<Value>) -> Value {
        match self.c.execute(script, arguments).await {
            Ok(v) => v,
            Err(e) => panic!("[{}] script refusé : {e}", self.login),
        }
    }

    pub async fn js_async(&self, script: &str, arguments: Vec<Value>) -> Value {
        match self.c.execute_async(script, arguments).await {
            Ok(v) => v,
            Err(e) => panic!("[{}] script asynchrone refusé : {e}", self.login),
        }
    }

    /// The main content's link targets matching a regular expression (paths as written).
    pub async fn liens(&self, motif: &str) -> Vec<String> {
        let v = self.js(LIENS, vec![json!(motif)]).await;
        v.as_array().into_iter().flatten().filter_map(|h| h.as_str().map(str::to_string)).collect()
    }

    /// The HTTP status of a GET of `url` (a path or an absolute address) with this session.
    pub async fn statut(&self, url: &str) -> i64 {
        self.js_async(STATUT, vec![json!(url)]).await.as_i64().unwrap_or(-1)
    }

    /// Fetches a link's target with this session's cookies and checks it is a PDF.
    pub async fn verifier_pdf(&self, lien: &Element, quoi: &str) {
        let href = lien.prop("href").await.unwrap().unwrap_or_else(|| panic!("{quoi} : lien sans adresse"));
        let r = self.js_async(DOCUMENT, vec![json!(href)]).await;
        assert_eq!(r["statut"], json!(200), "[{}] {quoi} ({href}) : {r}", self.login);
        assert!(
            r["type"].as_str().unwrap_or_default().starts_with("application/pdf"),
            "[{}] {quoi} ({href}) n'est pas servi en PDF : {r}",
            self.login
        );
        assert_eq!(r["debut"], json!("%PDF-"), "[{}] {quoi} ({href}) ne commence pas comme un PDF : {r}", self.login);
        eprintln!("[{}] {quoi} : PDF de {} octets", self.login, r["taille"]);
    }

    /// What the page of the pupil at `chemin` shows now (read by a GET, the current page stays).
    pub async fn etat_eleve(&self, chemin: &str) -> EtatEleve {
        let r = self.js_async(ELEVE, vec![json!(chemin)]).await;
        let lignes: Vec<Vec<String>> = r["lignes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                l.as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| c.as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        EtatEleve {
            statut: r["statut"].as_i64().unwrap_or(-1),
            radiation: r["radiation"] == json!(true),
            certificat_radiation: r["certificat_radiation"] == json!(true),
            lignes,
        }
    }

    /// Runs axe-core on the current page (injected by WebDriver, which the page's CSP does not
    /// govern). Serious and critical violations are printed and kept for the end of the test.
    pub async fn accessibilite(&self, page: &str) {
        let charge = self.js(&format!("{}\n;return typeof window.axe;", self.banc.axe), vec![]).await;
        assert_eq!(charge, json!("object"), "axe-core ne s'est pas chargé dans la page {page}");
        let r = self.js_async(AXE, vec![]).await;
        assert_eq!(r["ok"], json!(true), "axe-core a échoué sur la page {page} : {r}");
        let chemin = self.chemin().await;
        let mut graves = 0;
        for v in r["violations"].as_array().into_iter().flatten() {
            let impact = v["impact"].as_str().unwrap_or_default();
            let cibles: Vec<&str> = v["cibles"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let ligne = format!(
                "{page} ({chemin}) : [{impact}] {} — {} ({}) ; éléments : {}",
                v["id"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                v["aide"].as_str().unwrap_or_default(),
                cibles.join(" | ")
            );
            if matches!(impact, "serious" | "critical") {
                graves += 1;
                eprintln!("axe-core ✗ {ligne}");
                self.banc.violations.lock().unwrap().push(ligne);
            } else {
                eprintln!("axe-core (mineur) {ligne}");
            }
        }
        eprintln!("[{}] axe-core sur {page} ({chemin}) : {graves} violation(s) grave(s)", self.login);
    }

    /// Saves a PNG of the viewport to target/captures/NOM.png.
    pub async fn capture(&self, nom: &str) {
        let png = self.c.screenshot().await.unwrap();
        let fichier = self.banc.captures.join(format!("{nom}.png"));
        std::fs::write(&fichier, png).unwrap_or_else(|e| panic!("{} : {e}", fichier.display()));
        eprintln!("[{}] capture : {}", self.login, fichier.display());
    }

    /// Narrows the window to a phone's width (`largeur` CSS pixels) and asserts the page does
    /// not scroll sideways and the header's search button is on screen; then restores the size.
    pub async fn tient_dans(&self, largeur: u32, quoi: &str) {
        let (w, h) = self.c.get_window_size().await.unwrap();
        self.c.set_window_size(largeur, 800).await.unwrap();
        let mesure = self
            .c
            .execute(
                "const b = document.querySelector('form.recherche button');
                 return { vue: document.documentElement.clientWidth, page: document.documentElement.scrollWidth,
                          bouton: b ? b.getBoundingClientRect().right : -1 };",
                vec![],
            )
            .await
            .unwrap();
        self.c.set_window_size(w as u32, h as u32).await.unwrap();
        let n = |k: &str| mesure[k].as_f64().unwrap_or(f64::MAX);
        assert!(
            n("vue") <= f64::from(largeur),
            "[{}] {quoi} : fenêtre non réduite à {largeur} px : {mesure}",
            self.login
        );
        assert!(n("page") <= n("vue"), "[{}] {quoi} défile de côté à {largeur} px : {mesure}", self.login);
        assert!(
            n("bouton") > 0.0 && n("bouton") <= n("vue"),
            "[{}] {quoi} : le bouton Rechercher sort de l'écran à {largeur} px : {mesure}",
            self.login
        );
    }

    /// Ends the browser session (chromedriver closes its Chromium).
    pub async fn fermer(self) {
        if let Err(e) = self.c.close().await {
            eprintln!("[{}] fermeture de la session : {e}", self.login);
        }
    }
}

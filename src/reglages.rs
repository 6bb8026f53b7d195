//! The configuration file an installation keeps in `/etc/registre/registre.toml` (TOML): read by
//! `registre serve`, `init`, `backup`, `purge` and `check` given `--config`; a flag of the
//! command line overrides the key it names.
//!
//! Read strictly: an unknown key, a value of the wrong type, a relative path, an address or a
//! number out of bounds is refused, every fault at once, in French, by key and line.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The keys of the file, as an installation sets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reglages {
    /// `base`: the database (its key file, anchor and folders beside it).
    pub base: Option<PathBuf>,
    /// `adresse`: where the server listens.
    pub adresse: Option<SocketAddr>,
    /// `derriere_proxy`: behind an HTTPS reverse proxy.
    pub derriere_proxy: bool,
    /// `tls_certificat` and `tls_cle`: TLS served directly.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `journal_json`: one JSON object per log line.
    pub journal_json: bool,
    /// `metriques_adresse`: a loopback address that serves `/metrics`, `/healthz` and `/readyz`
    /// only, without a token (for a Prometheus on the same host, behind a proxy too).
    pub metriques_adresse: Option<SocketAddr>,
    /// `metriques_jeton`: the file of the token that opens `/metrics` from another host.
    pub metriques_jeton: Option<PathBuf>,
    /// `[sauvegardes]`: where the nightly backups go, and how many days they are kept.
    pub sauvegardes: Option<Sauvegardes>,
}

/// The `[sauvegardes]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sauvegardes {
    /// `dossier`: the backups' folder (created 0700).
    pub dossier: PathBuf,
    /// `jours`: how many days a backup is kept (1 to 3 650).
    pub jours: u32,
}

const CLES: [&str; 9] = [
    "base",
    "adresse",
    "derriere_proxy",
    "tls_certificat",
    "tls_cle",
    "journal_json",
    "metriques_adresse",
    "metriques_jeton",
    "sauvegardes",
];

impl Reglages {
    /// Reads and checks `fichier`; every fault at once, each naming its key.
    pub fn lire(fichier: &Path) -> Result<Self, String> {
        let texte = std::fs::read_to_string(fichier)
            .map_err(|e| format!("fichier de configuration {} : {e}", fichier.display()))?;
        Self::depuis(&texte)
            .map_err(|fautes| format!("fichier de configuration {} : {}", fichier.display(), fautes.join(" ; ")))
    }

    /// Reads the text of a configuration file.
    pub fn depuis(texte: &str) -> Result<Self, Vec<String>> {
        let table: toml::Table = texte.parse().map_err(|e: toml::de::Error| {
            let ligne = e.span().and_then(|s| texte.get(..s.start)).map(|avant| avant.matches('\n').count() + 1);
            vec![format!(
                "syntaxe illisible{} : chaque réglage s'écrit « clé = valeur », un texte entre guillemets, true ou false, un nombre ; une table [sauvegardes] seule sur sa ligne",
                ligne.map(|l| format!(" à la ligne {l}")).unwrap_or_default(),
            )]
        })?;
        let mut fautes = Vec::new();
        for cle in table.keys().filter(|k| !CLES.contains(&k.as_str())) {
            fautes.push(format!("clé inconnue « {cle} » (clés permises : {})", CLES.join(", ")));
        }
        let mut r = Reglages {
            base: chemin(&table, "base", &mut fautes),
            adresse: adresse(&table, "adresse", &mut fautes),
            derriere_proxy: booleen(&table, "derriere_proxy", &mut fautes),
            journal_json: booleen(&table, "journal_json", &mut fautes),
            metriques_adresse: adresse(&table, "metriques_adresse", &mut fautes),
            metriques_jeton: chemin(&table, "metriques_jeton", &mut fautes),
            ..Reglages::default()
        };
        match (chemin(&table, "tls_certificat", &mut fautes), chemin(&table, "tls_cle", &mut fautes)) {
            (Some(c), Some(k)) => r.tls = Some((c, k)),
            (None, None) => {}
            _ => fautes.push("tls_certificat et tls_cle vont ensemble : donnez les deux, ou aucun".into()),
        }
        if r.tls.is_some() && r.derriere_proxy {
            fautes.push("derriere_proxy : le serveur sert TLS lui-même (tls_certificat) ou est derrière un mandataire, pas les deux".into());
        }
        if let Some(a) = r.metriques_adresse.filter(|a| !a.ip().is_loopback()) {
            fautes.push(format!("metriques_adresse : {a} n'est pas une adresse locale (127.0.0.1 ou ::1)"));
        }
        match table.get("sauvegardes") {
            None => {}
            Some(toml::Value::Table(t)) => r.sauvegardes = sauvegardes(t, &mut fautes),
            Some(_) => fautes.push("sauvegardes : une table [sauvegardes] est attendue".into()),
        }
        if fautes.is_empty() { Ok(r) } else { Err(fautes) }
    }
}

fn sauvegardes(t: &toml::Table, fautes: &mut Vec<String>) -> Option<Sauvegardes> {
    for cle in t.keys().filter(|k| !["dossier", "jours"].contains(&k.as_str())) {
        fautes.push(format!("clé inconnue « sauvegardes.{cle} » (clés permises : dossier, jours)"));
    }
    let dossier = chemin(t, "dossier", fautes);
    let jours = match t.get("jours") {
        None => {
            fautes.push("sauvegardes.jours : le nombre de jours de conservation est obligatoire".into());
            None
        }
        Some(toml::Value::Integer(n)) if (1..=3650).contains(n) => u32::try_from(*n).ok(),
        Some(toml::Value::Integer(n)) => {
            fautes.push(format!("sauvegardes.jours : {n} n'est pas entre 1 et 3 650"));
            None
        }
        Some(_) => {
            fautes.push("sauvegardes.jours : un nombre entier est attendu".into());
            None
        }
    };
    if dossier.is_none() && !t.contains_key("dossier") {
        fautes.push("sauvegardes.dossier : le dossier des sauvegardes est obligatoire".into());
    }
    Some(Sauvegardes { dossier: dossier?, jours: jours? })
}

fn texte<'a>(t: &'a toml::Table, cle: &str, fautes: &mut Vec<String>) -> Option<&'a str> {
    match t.get(cle)? {
        toml::Value::String(s) => Some(s),
        _ => {
            fautes.push(format!("{cle} : une chaîne entre guillemets est attendue"));
            None
        }
    }
}

fn chemin(t: &toml::Table, cle: &str, fautes: &mut Vec<String>) -> Option<PathBuf> {
    let s = texte(t, cle, fautes)?;
    let p = PathBuf::from(s);
    if !p.is_absolute() {
        fautes.push(format!("{cle} : « {s} » doit être un chemin absolu (commençant par /)"));
        return None;
    }
    Some(p)
}

fn adresse(t: &toml::Table, cle: &str, fautes: &mut Vec<String>) -> Option<SocketAddr> {
    let s = texte(t, cle, fautes)?;
    match s.parse() {
        Ok(a) => Some(a),
        Err(_) => {
            fautes.push(format!("{cle} : « {s} » n'est pas une adresse d'écoute (par exemple 127.0.0.1:8080)"));
            None
        }
    }
}

fn booleen(t: &toml::Table, cle: &str, fautes: &mut Vec<String>) -> bool {
    match t.get(cle) {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(_) => {
            fautes.push(format!("{cle} : true ou false est attendu"));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_installed_file_reads_as_an_installation_sets_it() {
        let r = Reglages::depuis(include_str!("../paquet/registre.toml")).unwrap();
        assert_eq!(r.base.as_deref(), Some(Path::new("/var/lib/registre/registre.db")));
        assert!(r.derriere_proxy && r.journal_json);
        assert!(r.metriques_adresse.is_some_and(|a| a.ip().is_loopback()));
        let s = r.sauvegardes.unwrap();
        assert!(s.dossier.starts_with("/var/lib/registre") && s.jours >= 1);
    }

    #[test]
    fn every_fault_is_named_at_once() {
        let fautes = Reglages::depuis(
            r#"
base = "registre.db"
adresse = "partout"
derriere_proxy = "oui"
tls_cle = "/etc/cle.pem"
metriques_adresse = "0.0.0.0:9464"
couleur = "bleu"
[sauvegardes]
jours = 0
"#,
        )
        .unwrap_err();
        let tout = fautes.join("\n");
        for attendu in [
            "clé inconnue « couleur »",
            "base : « registre.db » doit être un chemin absolu",
            "adresse : « partout »",
            "derriere_proxy : true ou false",
            "tls_certificat et tls_cle vont ensemble",
            "metriques_adresse : 0.0.0.0:9464 n'est pas une adresse locale",
            "sauvegardes.jours : 0 n'est pas entre 1 et 3 650",
            "sauvegardes.dossier : le dossier des sauvegardes est obligatoire",
        ] {
            assert!(tout.contains(attendu), "{attendu} manque dans :\n{tout}");
        }
        assert_eq!(fautes.len(), 8, "{tout}");
    }

    #[test]
    fn broken_toml_names_its_line() {
        let fautes = Reglages::depuis("base = \"/x\"\nadresse = \n").unwrap_err();
        assert!(fautes[0].contains("ligne 2"), "{fautes:?}");
        let fautes = Reglages::depuis("base = \"/x\"\n= 3\n").unwrap_err();
        assert!(fautes[0].contains("ligne 2"), "an error at the start of a line: {fautes:?}");
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        assert_eq!(Reglages::depuis("# rien\n").unwrap(), Reglages::default());
    }
}

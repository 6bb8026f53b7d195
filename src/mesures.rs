//! The server's metrics, in Prometheus' text format at `/metrics` (prometheus-client's registry
//! and exposition).
//!
//! One registry for the process. Requests are counted by route *template* (`/api/v1/eleves/{id}`,
//! never the address asked), method and status; jobs by kind and outcome; documents by type.
//! The sizes, the journal's rows, the open sessions and the jobs waiting are read when Prometheus
//! scrapes ([`Instantane`]). No label ever holds a name, an identifier or a value typed by a user:
//! every label value comes from a closed list written in this code.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

/// The content type of the exposition (OpenMetrics text, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A request's labels: its route template, method and status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Requete {
    route: String,
    methode: &'static str,
    statut: u16,
}

/// A request's latency labels (the status is not a dimension of the histogram: fewer series).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
    methode: &'static str,
}

/// The two kinds of background work.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Genre {
    /// A print run.
    impression,
    /// An ONDE import.
    import,
}

/// How a job ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Issue {
    /// Done.
    termine,
    /// Failed.
    echoue,
    /// Stopped by its author or by the server's shutdown.
    arrete,
}

/// Where a job is now.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
enum Etat {
    en_attente,
    en_cours,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TravailFini {
    genre: Genre,
    issue: Issue,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TravailGenre {
    genre: Genre,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TravailEtat {
    genre: Genre,
    etat: Etat,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DocumentRendu {
    document: &'static str,
}

/// What is read at each scrape.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Instantane {
    /// Rows of the audit journal.
    pub journal_lignes: i64,
    /// Sessions open (not expired, not closed).
    pub sessions: i64,
    /// Bytes of the database file, of its WAL, of the print runs' folder.
    pub base_octets: i64,
    /// The WAL's bytes.
    pub wal_octets: i64,
    /// The print runs' folder's bytes.
    pub impressions_octets: i64,
    /// Print runs waiting, running.
    pub impressions: (i64, i64),
    /// Imports waiting, running.
    pub imports: (i64, i64),
}

fn latences() -> Histogram {
    // 1 ms to about 65 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

fn durees_travaux() -> Histogram {
    // 0.1 s to about 1.8 h.
    Histogram::new(exponential_buckets(0.1, 2.0, 17))
}

/// Every metric of the process, registered once.
#[derive(Debug)]
pub struct Mesures {
    registre: Registry,
    requetes: Family<Requete, Counter>,
    latence: Family<Route, Histogram, fn() -> Histogram>,
    travaux_finis: Family<TravailFini, Counter>,
    duree_travaux: Family<TravailGenre, Histogram, fn() -> Histogram>,
    travaux: Family<TravailEtat, Gauge>,
    documents: Family<DocumentRendu, Counter>,
    attente_ecrivain: Histogram,
    journal_lignes: Gauge,
    sessions: Gauge,
    base_octets: Gauge,
    wal_octets: Gauge,
    impressions_octets: Gauge,
    echecs_connexion: Counter,
    verrouillages: Counter,
}

static MESURES: LazyLock<Mesures> = LazyLock::new(Mesures::new);

/// The process's metrics.
pub fn mesures() -> &'static Mesures {
    &MESURES
}

impl Mesures {
    fn new() -> Self {
        let mut r = Registry::with_prefix("registre");
        let m = Self {
            requetes: Family::default(),
            latence: Family::new_with_constructor(latences),
            travaux_finis: Family::default(),
            duree_travaux: Family::new_with_constructor(durees_travaux),
            travaux: Family::default(),
            documents: Family::default(),
            attente_ecrivain: Histogram::new(exponential_buckets(0.0001, 2.0, 16)),
            journal_lignes: Gauge::default(),
            sessions: Gauge::default(),
            base_octets: Gauge::default(),
            wal_octets: Gauge::default(),
            impressions_octets: Gauge::default(),
            echecs_connexion: Counter::default(),
            verrouillages: Counter::default(),
            registre: Registry::default(),
        };
        r.register("requetes", "Requêtes servies, par modèle de route, méthode et statut", m.requetes.clone());
        r.register_with_unit(
            "requete_duree",
            "Durée des requêtes, par modèle de route et méthode",
            Unit::Seconds,
            m.latence.clone(),
        );
        r.register("travaux", "Travaux en arrière-plan terminés, par genre et issue", m.travaux_finis.clone());
        r.register_with_unit(
            "travail_duree",
            "Durée des travaux en arrière-plan, par genre",
            Unit::Seconds,
            m.duree_travaux.clone(),
        );
        r.register("travaux_en_file", "Travaux en attente ou en cours, par genre", m.travaux.clone());
        r.register("documents", "Documents imprimés, par type", m.documents.clone());
        r.register_with_unit(
            "attente_ecrivain",
            "Temps d'attente de l'écrivain de la base",
            Unit::Seconds,
            m.attente_ecrivain.clone(),
        );
        r.register("journal_lignes", "Lignes du journal d'audit", m.journal_lignes.clone());
        r.register("sessions_ouvertes", "Sessions ouvertes", m.sessions.clone());
        r.register_with_unit("base", "Taille du fichier de la base", Unit::Bytes, m.base_octets.clone());
        r.register_with_unit("wal", "Taille du WAL de la base", Unit::Bytes, m.wal_octets.clone());
        r.register_with_unit(
            "impressions",
            "Taille du dossier des impressions en lot",
            Unit::Bytes,
            m.impressions_octets.clone(),
        );
        r.register(
            "connexions_echouees",
            "Connexions refusées (identifiant, mot de passe ou code)",
            m.echecs_connexion.clone(),
        );
        r.register("verrouillages", "Comptes verrouillés après des échecs de connexion", m.verrouillages.clone());
        Self { registre: r, ..m }
    }

    /// A request served: `route` is its template (or `None` when no route matched).
    pub fn requete(&self, route: Option<&str>, methode: &str, statut: u16, duree: Duration) {
        let methode = match methode {
            "GET" => "GET",
            "HEAD" => "HEAD",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            "OPTIONS" => "OPTIONS",
            _ => "autre",
        };
        let route = route.unwrap_or("(aucune)").to_string();
        self.requetes.get_or_create(&Requete { route: route.clone(), methode, statut }).inc();
        self.latence.get_or_create(&Route { route, methode }).observe(duree.as_secs_f64());
    }

    /// A background job ended; `duree` since it started, if it had.
    pub fn travail(&self, genre: Genre, issue: Issue, duree: Option<Duration>) {
        self.travaux_finis.get_or_create(&TravailFini { genre, issue }).inc();
        if let Some(d) = duree {
            self.duree_travaux.get_or_create(&TravailGenre { genre }).observe(d.as_secs_f64());
        }
    }

    /// `n` documents of type `document` (its name in the catalogue) printed.
    pub fn documents(&self, document: &'static str, n: u64) {
        self.documents.get_or_create(&DocumentRendu { document }).inc_by(n);
    }

    /// The time a write waited for the writer.
    pub fn attente_ecrivain(&self, duree: Duration) {
        self.attente_ecrivain.observe(duree.as_secs_f64());
    }

    /// A sign-in refused.
    pub fn connexion_echouee(&self) {
        self.echecs_connexion.inc();
    }

    /// An account locked after failed sign-ins.
    pub fn verrouillage(&self) {
        self.verrouillages.inc();
    }

    /// The exposition, with what was read at this scrape.
    pub fn encoder(&self, i: &Instantane) -> String {
        self.journal_lignes.set(i.journal_lignes);
        self.sessions.set(i.sessions);
        self.base_octets.set(i.base_octets);
        self.wal_octets.set(i.wal_octets);
        self.impressions_octets.set(i.impressions_octets);
        for (genre, (attente, cours)) in [(Genre::impression, i.impressions), (Genre::import, i.imports)] {
            self.travaux.get_or_create(&TravailEtat { genre, etat: Etat::en_attente }).set(attente);
            self.travaux.get_or_create(&TravailEtat { genre, etat: Etat::en_cours }).set(cours);
        }
        let mut s = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut s, &self.registre);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_names_routes_by_template_and_holds_the_scraped_values() {
        let m = Mesures::new();
        m.requete(Some("/api/v1/eleves/{id}"), "GET", 200, Duration::from_millis(3));
        m.requete(Some("/api/v1/eleves/{id}"), "GET", 200, Duration::from_millis(5));
        m.requete(None, "BREW", 404, Duration::from_millis(1));
        m.travail(Genre::impression, Issue::termine, Some(Duration::from_secs(2)));
        m.travail(Genre::import, Issue::arrete, None);
        m.documents("certificat-scolarite", 3);
        m.connexion_echouee();
        m.verrouillage();
        let s = m.encoder(&Instantane { journal_lignes: 42, imports: (1, 0), ..Instantane::default() });
        assert!(
            s.contains(r#"registre_requetes_total{route="/api/v1/eleves/{id}",methode="GET",statut="200"} 2"#),
            "{s}"
        );
        assert!(s.contains(r#"registre_requetes_total{route="(aucune)",methode="autre",statut="404"} 1"#), "{s}");
        assert!(s.contains(r#"registre_requete_duree_seconds_count{route="/api/v1/eleves/{id}",methode="GET"} 2"#));
        assert!(s.contains(r#"registre_travaux_total{genre="impression",issue="termine"} 1"#), "{s}");
        assert!(s.contains(r#"registre_travaux_total{genre="import",issue="arrete"} 1"#), "{s}");
        assert!(!s.contains(r#"registre_travail_duree_seconds_count{genre="import"}"#), "never started: {s}");
        assert!(s.contains(r#"registre_documents_total{document="certificat-scolarite"} 3"#), "{s}");
        assert!(s.contains(r#"registre_travaux_en_file{genre="import",etat="en_attente"} 1"#), "{s}");
        assert!(s.contains("registre_journal_lignes 42"), "{s}");
        assert!(s.contains("registre_connexions_echouees_total 1") && s.contains("registre_verrouillages_total 1"));
        assert!(s.ends_with("# EOF\n"));
    }
}

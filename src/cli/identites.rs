//! `registre admin oidc`: the identity providers of the installation (README « Se connecter
//! avec l'académie ou EduConnect »), set by the operator through `Service::poser_fournisseur`.

use std::path::{Path, PathBuf};

use super::verbes::{operateur, ouvrir};
use crate::clock::Clock;

/// `registre admin oidc ajouter`: one provider's settings.
#[derive(Debug, clap::Args)]
pub(super) struct FournisseurCli {
    /// Fichier de la base SQLite.
    #[arg(long)]
    db: PathBuf,
    /// Nom court, dans les adresses : academie, educonnect…
    #[arg(long)]
    nom: String,
    /// Ce que la page de connexion affiche : « Guichet agents de l'académie », « EduConnect ».
    #[arg(long)]
    libelle: String,
    /// Public : personnels ou familles.
    #[arg(long)]
    public: String,
    /// Émetteur (issuer) : https://… ; son document de découverte est
    /// ÉMETTEUR/.well-known/openid-configuration.
    #[arg(long)]
    emetteur: String,
    /// Identifiant client de ce registre auprès du service.
    #[arg(long)]
    client_id: String,
    /// Fichier contenant le secret client (lisible par le seul compte du serveur : chmod 600).
    #[arg(long)]
    secret_fichier: PathBuf,
    /// Portées demandées en plus de openid, séparées par des virgules (profile, …).
    #[arg(long, value_delimiter = ',')]
    portees: Vec<String>,
    /// Rôles admis, séparés par des virgules (familles : responsable ; personnels : directeur,
    /// ien, ia_dasen, agent_mairie…).
    #[arg(long, value_delimiter = ',', required = true)]
    roles: Vec<String>,
    /// Valeurs de « amr » qui prouvent un second facteur.
    #[arg(long, value_delimiter = ',', default_value = "mfa,otp,hwk,sc")]
    amr_forts: Vec<String>,
    /// Valeurs de « acr » qui prouvent un second facteur.
    #[arg(long, value_delimiter = ',')]
    acr_forts: Vec<String>,
    /// Valeurs de « acr » exigées des personnels (aucune par défaut).
    #[arg(long, value_delimiter = ',')]
    acr_requis: Vec<String>,
    /// Crée le compte d'un personnel à sa première connexion, d'après la revendication signée
    /// qui porte sa fonction (par exemple « fonction ») ; sans cette option, jamais.
    #[arg(long)]
    creation_fonction: Option<String>,
    /// Valeur de la fonction et rôle créé, VALEUR=ROLE (directeur ou ien) ; répétable.
    #[arg(long = "fonction")]
    fonctions: Vec<String>,
    /// Revendication qui porte l'UAI de l'école (directeur).
    #[arg(long)]
    revendication_ecole: Option<String>,
    /// Revendication qui porte l'identifiant de la circonscription (IEN).
    #[arg(long)]
    revendication_circonscription: Option<String>,
}

fn roles(codes: &[String], option: &str) -> anyhow::Result<Vec<crate::policy::Role>> {
    codes
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            crate::policy::Role::parse(c).ok_or_else(|| anyhow::anyhow!("{option} : rôle inconnu « {} »", c.trim()))
        })
        .collect()
}

fn liste(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Adds or replaces an identity provider; journaled.
pub(super) fn oidc_ajouter(f: FournisseurCli, clock: &Clock) -> anyhow::Result<()> {
    use crate::auth::oidc::{Correspondance, Fournisseur, Public};
    let public =
        Public::parse(&f.public).ok_or_else(|| anyhow::anyhow!("--public : « personnels » ou « familles »"))?;
    let creation = match f.creation_fonction {
        None if f.fonctions.is_empty() => None,
        None => anyhow::bail!("--fonction demande --creation-fonction"),
        Some(revendication_fonction) => {
            let mut fonctions = std::collections::BTreeMap::new();
            for v in &f.fonctions {
                let (valeur, role) = v
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--fonction : VALEUR=ROLE, par exemple DIR=directeur"))?;
                fonctions.insert(valeur.trim().to_string(), roles(&[role.to_string()], "--fonction")?[0]);
            }
            Some(Correspondance {
                revendication_fonction,
                fonctions,
                revendication_ecole: f.revendication_ecole,
                revendication_circonscription: f.revendication_circonscription,
            })
        }
    };
    let secret_fichier = std::path::absolute(&f.secret_fichier)?;
    let fournisseur = Fournisseur {
        nom: f.nom.trim().to_string(),
        libelle: f.libelle.trim().to_string(),
        public,
        emetteur: f.emetteur.trim().to_string(),
        client_id: f.client_id.trim().to_string(),
        secret_fichier,
        portees: liste(f.portees).into_iter().filter(|p| p != "openid").collect(),
        roles: roles(&f.roles, "--roles")?,
        amr_forts: liste(f.amr_forts),
        acr_forts: liste(f.acr_forts),
        acr_requis: liste(f.acr_requis),
        creation,
    };
    let (store, cles) = ouvrir(&f.db)?;
    operateur(&store, &cles, clock, |svc| svc.poser_fournisseur(&fournisseur))?;
    let adresse = crate::service::comptes::adresse_publique(&store)?;
    println!("Service d'identité « {} » ({}) réglé.", fournisseur.libelle, fournisseur.nom);
    match adresse {
        Some(a) => println!(
            "Adresse de retour à déclarer auprès du service : {}/connexion/oidc/retour ; après déconnexion : {}/connexion",
            a.trim_end_matches('/'),
            a.trim_end_matches('/')
        ),
        None => println!(
            "Réglez d'abord l'adresse publique du serveur (registre admin url-publique) : elle fait l'adresse de retour."
        ),
    }
    Ok(())
}

/// Lists the identity providers.
pub(super) fn oidc_lister(db: &Path) -> anyhow::Result<()> {
    let (store, _) = ouvrir(db)?;
    let l = crate::service::comptes::fournisseurs(&store)?;
    if l.is_empty() {
        println!("Aucun service d'identité : seuls les mots de passe de ce registre permettent de se connecter.");
    }
    for f in l {
        let roles: Vec<&str> = f.roles.iter().map(|r| r.code()).collect();
        println!(
            "{} — « {} » ({}) : émetteur {}, client {}, rôles {}{}",
            f.nom,
            f.libelle,
            match f.public {
                crate::auth::oidc::Public::Personnels => "personnels",
                crate::auth::oidc::Public::Familles => "familles",
            },
            f.emetteur,
            f.client_id,
            roles.join(", "),
            if f.creation.is_some() { ", comptes créés à la première connexion" } else { "" }
        );
    }
    Ok(())
}

/// Removes an identity provider; journaled.
pub(super) fn oidc_retirer(db: &Path, nom: &str, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    if operateur(&store, &cles, clock, |svc| svc.oter_fournisseur(nom))? {
        println!("Service d'identité « {nom} » retiré.");
        Ok(())
    } else {
        anyhow::bail!("aucun service d'identité nommé « {nom} »")
    }
}

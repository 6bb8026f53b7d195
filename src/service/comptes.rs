//! Accounts and the département's settings as use cases: opening a session, the accounts an
//! actor manages, one's own account, and the mairie's widened view (the IA-DASEN's choice).
//! Passwords, TOTP and sessions themselves are `auth`'s.

use serde::Serialize;
use time::OffsetDateTime;

use super::{Result, Service};
use crate::audit::Fait;
use crate::auth::{self, Connexion, Interdit};
use crate::config::Cles;
use crate::domain::Perimetre;
use crate::policy::{Action, Ressource, Role};
use crate::store::comptes::{self, Compte, Etat};
use crate::store::{Store, territoires};

/// An account as its manager sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompteVu {
    /// Id.
    pub id: String,
    /// Login.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Kind of perimeter.
    pub perimetre: String,
    /// Territory's name.
    pub territoire: Option<String>,
    /// Holder's name.
    pub nom: Option<String>,
    /// State.
    pub etat: Etat,
    /// The holder asked for a new password (« mot de passe oublié ») and awaits a link.
    pub demande_reinitialisation: bool,
}

/// Opens a session from a login form or the API (no actor yet): the browser's previous
/// session ends, the credentials are checked (`auth`), and the function shown to parents is
/// named.
pub fn connexion(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    ancienne: Option<&str>,
    login: &str,
    mot_de_passe: &str,
    code: Option<&str>,
) -> Result<(Connexion, String)> {
    // A new session id at every login: the previous one, if any, ends.
    if let Some(old) = ancienne {
        store.ecrire(|tx| comptes::supprimer_session(tx, &auth::empreinte(old)))?;
    }
    let c = auth::connecter(store, cles, le, login, mot_de_passe, code)?;
    let fonction = store.read(|db| auth::fonction(db, c.compte.role, &c.compte.perimetre))?;
    Ok((c, fonction))
}

/// The identity service of one's own account.
#[derive(Debug)]
pub struct MonIdentite {
    /// The libellé of the service the account is tied to.
    pub lie: Option<String>,
    /// The services it could be tied to: (short name, libellé).
    pub liables: Vec<(String, String)>,
}

/// Opens a session from an identity a provider proved (no actor yet): `auth::oidc` ties,
/// finds or creates the account; then the session the browser held when the sign-in started
/// (`ancienne`, its digest) ends. A tie needs that session still open, of that account: the
/// holder who asked for it has not logged out since.
pub fn connexion_par_identite(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    ancienne: Option<&str>,
    f: &auth::oidc::Fournisseur,
    identite: &auth::oidc::Identite,
    but: &auth::oidc::But,
) -> Result<auth::oidc::Issue> {
    if let auth::oidc::But::Liaison(compte) = but {
        let vivante = match ancienne {
            Some(e) => store.read(|c| comptes::session(c, e))?.is_some_and(|s| &s.compte_id == compte),
            None => false,
        };
        if !vivante {
            return Err(auth::Error::Interdit(
                "la session qui a demandé ce lien est fermée : reconnectez-vous, puis recommencez depuis « Mon compte »".into(),
            )
            .into());
        }
    }
    let issue = auth::oidc::connecter_par_identite(store, cles, le, f, identite, but)?;
    if let Some(e) = ancienne {
        store.ecrire(|tx| comptes::supprimer_session(tx, e))?;
    }
    Ok(issue)
}

/// The identity providers of the installation (the login page offers them; the CLI lists them).
pub fn fournisseurs(store: &Store) -> Result<Vec<auth::oidc::Fournisseur>> {
    Ok(auth::oidc::fournisseurs(store)?)
}

/// One identity provider, by its short name.
pub fn fournisseur(store: &Store, nom: &str) -> Result<Option<auth::oidc::Fournisseur>> {
    Ok(auth::oidc::fournisseur(store, nom)?)
}

/// The second step of a sign-in through a provider that asserted no second factor: the
/// account's code opens the session (`auth::oidc`).
pub fn connexion_par_code(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    f: &auth::oidc::Fournisseur,
    compte: &crate::domain::CompteId,
    code: &str,
) -> std::result::Result<Connexion, auth::Error> {
    auth::oidc::completer_par_code(store, cles, le, f, compte, code)
}

/// A new account, as asked: the territory is found among the kinds of perimeter given.
#[derive(Debug, Clone)]
pub struct DemandeCompte {
    /// Login.
    pub login: String,
    /// Role.
    pub role: Role,
    /// The kinds of perimeter to look in (`ecole`, `commune`…): the one asked, or every kind
    /// the role admits.
    pub genres: Vec<String>,
    /// The territory (an UAI, an INSEE code, an id…).
    pub territoire: String,
    /// Holder's name.
    pub nom: Option<String>,
}

impl Service<'_> {
    /// Creates a pending account (policy and rules in `auth`); returns its id and the one-time
    /// activation token.
    pub fn creer_compte(&self, d: &DemandeCompte) -> Result<(crate::domain::CompteId, String)> {
        let valeur = d.territoire.trim();
        let perimetre = self
            .store
            .read(|c| {
                for g in &d.genres {
                    if let Some(p) = territoires::trouver_perimetre(c, g.trim(), valeur)? {
                        return Ok(Some(p));
                    }
                }
                Ok(None)
            })?
            .ok_or(crate::store::Error::Introuvable("périmètre"))?;
        let n = auth::NouveauCompte { login: d.login.clone(), role: d.role, perimetre, nom: d.nom.clone() };
        Ok(auth::creer_compte(self.store, self.cles, self.le, self.acteur, &n)?)
    }

    /// The accounts the actor manages (IA-DASEN: the département's staff; directeur: the
    /// families of the school's pupils).
    /// Journaled: staff names and logins, families' logins.
    pub fn comptes(&self) -> Result<Vec<CompteVu>> {
        self.autoriser(Ressource::Compte, Action::Lister)?;
        let liste = auth::comptes_geres(self.store, self.acteur)?;
        self.noter(&[
            crate::audit::Fait::new(Action::Lister, "compte").detail(serde_json::json!({ "comptes": liste.len() }))
        ])?;
        Ok(self.store.read(|c| {
            let demandes = crate::store::corrections::demandes_reinitialisation(c)?;
            liste
                .into_iter()
                .map(|k| {
                    Ok(CompteVu {
                        demande_reinitialisation: demandes.contains(k.id.as_str()),
                        territoire: territoires::nom_perimetre(c, &k.perimetre)?,
                        id: k.id.to_string(),
                        login: k.login,
                        role: k.role,
                        perimetre: k.perimetre.genre().into(),
                        nom: k.nom,
                        etat: k.etat,
                    })
                })
                .collect::<crate::store::Result<Vec<_>>>()
        })?)
    }

    /// Whether the actor may tie their account to an identity now: signed in with the second
    /// factor their role requires, less than 10 minutes ago. Returns the account.
    pub fn peut_lier(&self) -> Result<crate::domain::CompteId> {
        let id = self.acteur.compte.clone().ok_or(crate::store::Error::Introuvable("compte"))?;
        if self.acteur.role.exige_second_facteur() && !self.acteur.second_facteur {
            return Err(Interdit::SecondFacteur.into());
        }
        if self.le - self.acteur.authentifie_le > auth::RECENT {
            return Err(Interdit::Reauthentification.into());
        }
        Ok(id)
    }

    /// The identity service the actor's account is tied to (its libellé), or the services
    /// that could be tied (short name and libellé): those that serve the actor's role.
    pub fn mon_identite(&self) -> Result<MonIdentite> {
        let id = self.acteur.compte.clone().ok_or(crate::store::Error::Introuvable("compte"))?;
        let lie = self.store.read(|c| crate::store::identites::identite_du_compte(c, &id))?;
        let services = auth::oidc::fournisseurs(self.store)?;
        Ok(match lie {
            Some(nom) => MonIdentite {
                lie: Some(services.into_iter().find(|f| f.nom == nom).map_or(nom, |f| f.libelle)),
                liables: Vec::new(),
            },
            None => MonIdentite {
                lie: None,
                liables: services
                    .into_iter()
                    .filter(|f| f.roles.contains(&self.acteur.role))
                    .map(|f| (f.nom, f.libelle))
                    .collect(),
            },
        })
    }

    /// The actor's own account and how many recovery codes remain unused.
    pub fn mon_compte(&self) -> Result<(Compte, u32)> {
        let id = self.acteur.compte.clone().ok_or(crate::store::Error::Introuvable("compte"))?;
        Ok(self.store.read(|c| Ok((comptes::par_id(c, &id)?, comptes::codes_secours_restants(c, &id)?)))?)
    }

    /// The actor's département's settings: the mairies' widened view, and whether staff
    /// passwords are forbidden.
    pub fn parametres(&self) -> Result<(bool, bool)> {
        self.autoriser(Ressource::Parametres, Action::Lire)?;
        let Perimetre::Departement(d) = &self.acteur.perimetre else {
            return Err(Interdit::Role.into());
        };
        let cle = comptes::cle_departement(auth::oidc::MOTS_DE_PASSE_INTERDITS, d);
        let interdits = self.store.read(|c| comptes::parametre(c, &cle))?.as_deref() == Some("1");
        Ok((self.acteur.reglages.mairie_etendue, interdits))
    }

    /// Widens (or narrows) what the mairies of the actor's département see, and forbids (or
    /// allows again) staff passwords, which needs a staff identity service; journaled.
    pub fn modifier_parametres(&self, mairie_etendue: bool, mots_de_passe_interdits: Option<bool>) -> Result<bool> {
        self.autoriser(Ressource::Parametres, Action::Modifier)?;
        let Perimetre::Departement(d) = &self.acteur.perimetre else {
            return Err(Interdit::Role.into());
        };
        // Absent, the setting stays as it is.
        let mots_de_passe_interdits = match mots_de_passe_interdits {
            Some(v) => v,
            None => self.parametres()?.1,
        };
        if mots_de_passe_interdits
            && !auth::oidc::fournisseurs(self.store)?.iter().any(|f| f.public == auth::oidc::Public::Personnels)
        {
            return Err(super::Error::Conflit(
                "aucun service d'identité des personnels n'est réglé sur ce serveur : les mots de passe restent le seul moyen de connexion".into(),
            ));
        }
        let cle = comptes::cle_departement(comptes::MAIRIE_ETENDUE, d);
        let cle_mdp = comptes::cle_departement(auth::oidc::MOTS_DE_PASSE_INTERDITS, d);
        Ok(self.store.ecrire(|tx| {
            comptes::poser_parametre(tx, &cle, if mairie_etendue { "1" } else { "0" })?;
            comptes::poser_parametre(tx, &cle_mdp, if mots_de_passe_interdits { "1" } else { "0" })?;
            let fait = Fait::new(Action::Modifier, "parametres").detail(
                serde_json::json!({ "mairie_etendue": mairie_etendue, "mots_de_passe_interdits": mots_de_passe_interdits }),
            );
            self.journal(tx, &[fait])?;
            Ok::<_, crate::store::Error>(mots_de_passe_interdits)
        })?)
    }
}

/// One's own account and the accounts one manages: `auth` holds the rules (password strength,
/// second factor, tokens) and journals in the same transaction; these are the only entry points
/// the API, the pages and the CLI use. Their errors stay `auth`'s, so a form can tell a wrong
/// code (shown again) from a refusal.
impl Service<'_> {
    /// Ends the actor's session; returns the identity provider it came through, if any.
    pub fn deconnecter(&self) -> std::result::Result<Option<String>, auth::Error> {
        auth::deconnecter(self.store, self.cles, self.le, self.acteur)
    }

    /// Changes the actor's password (the other sessions end).
    pub fn changer_mot_de_passe(&self, actuel: &str, nouveau: &str) -> std::result::Result<(), auth::Error> {
        auth::changer_mot_de_passe(self.store, self.cles, self.le, self.acteur, actuel, nouveau)
    }

    /// Draws a new second-factor secret for the actor (not yet confirmed).
    pub fn commencer_totp(&self) -> std::result::Result<Vec<u8>, auth::Error> {
        auth::commencer_totp(self.store, self.cles, self.acteur)
    }

    /// Confirms the second factor with a code; returns the recovery codes, shown once.
    pub fn confirmer_totp(&self, code: &str) -> std::result::Result<Vec<String>, auth::Error> {
        auth::confirmer_totp(self.store, self.cles, self.le, self.acteur, code)
    }

    /// Deactivates a managed account (its sessions end).
    pub fn desactiver_compte(&self, id: &crate::domain::CompteId) -> std::result::Result<(), auth::Error> {
        auth::desactiver(self.store, self.cles, self.le, self.acteur, id)
    }

    /// A reset link for a managed account (a pending « mot de passe oublié » is answered).
    pub fn lien_reinitialisation(&self, id: &crate::domain::CompteId) -> std::result::Result<String, auth::Error> {
        let jeton = auth::lien_reinitialisation(self.store, self.cles, self.le, self.acteur, id)?;
        self.store.ecrire(|tx| crate::store::corrections::effacer_demande_reinitialisation(tx, id))?;
        Ok(jeton)
    }
}

/// The installation's public address (`registre admin url-publique`): the only base of a link
/// sent by mail. Never the request's `Host`, which whoever sends the request chooses: a reset
/// link built from it would carry a family's token to any server.
pub fn adresse_publique(store: &Store) -> Result<Option<String>> {
    Ok(store.read(|c| comptes::parametre(c, comptes::URL_PUBLIQUE))?)
}

/// « Mot de passe oublié » (no session): the request waits for the account's manager; a family
/// with an e-mail on file also receives a reset link in the outbox (see [`super::courrier`]),
/// when the installation's public address is set. Whatever the login, nothing is returned:
/// the page answers the same (no enumeration).
pub fn mot_de_passe_oublie(store: &Store, cles: &Cles, le: OffsetDateTime, login: &str) -> Result<()> {
    let base = adresse_publique(store)?;
    if let Some((courriel, jeton)) = auth::mot_de_passe_oublie(store, cles, le, login, base.is_some())?
        && let Some(base) = base
    {
        let texte = format!(
            "Bonjour,\n\nUn nouveau mot de passe a été demandé pour votre compte du registre des élèves.\n\
             Choisissez-le en ouvrant ce lien (valable 24 heures) :\n\n{base}/reinitialiser?jeton={jeton}\n\n\
             Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe ne change pas.\n"
        );
        super::courrier::deposer(store.path(), &courriel, "Registre des élèves : nouveau mot de passe", &texte, le)
            .map_err(|e| crate::store::Error::Ouverture(format!("dépôt du courriel : {e}")))?;
    }
    Ok(())
}

/// Activates an account from its link (no session yet): the holder chooses the password.
pub fn activer(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    jeton: &str,
    mot_de_passe: &str,
) -> std::result::Result<Compte, auth::Error> {
    auth::activer(store, cles, le, jeton, mot_de_passe)
}

/// Sets a new password from a reset link (no session).
pub fn reinitialiser(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    jeton: &str,
    mot_de_passe: &str,
) -> std::result::Result<(), auth::Error> {
    auth::reinitialiser(store, cles, le, jeton, mot_de_passe)
}

/// The actor behind a session id, if the session is valid (`auth` checks and extends it).
pub fn acteur(
    store: &Store,
    le: OffsetDateTime,
    session: &str,
) -> std::result::Result<Option<auth::Acteur>, auth::Error> {
    auth::acteur(store, le, session)
}

/// A family account just created from a pupil's page: what the page shows and prints.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompteFamille {
    /// The account.
    pub compte_id: String,
    /// Its login.
    pub login: String,
    /// The one-time activation token (shown once, in the link and the letter's QR code).
    pub jeton: String,
    /// The holder, as the letter is addressed (« Mme Anne DURAND »).
    pub destinataire: String,
    /// The responsable's address on file, for the letter.
    pub adresse: Option<String>,
    /// The child, as the letter names them.
    pub enfant: String,
    /// The e-mail the link was sent to, if any.
    pub courriel: Option<String>,
    /// The school, as the letter is signed.
    pub ecole: String,
}

fn login_de(prenom: &str, nom: &str) -> String {
    let plie = |s: &str| {
        crate::domain::identite::cle_recherche(s).split(' ').filter(|m| !m.is_empty()).collect::<Vec<_>>().join("-")
    };
    let mut l = format!("{}.{}", plie(prenom), plie(nom));
    l.retain(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    l.chars().take(50).collect()
}

impl Service<'_> {
    /// The directeur creates the account of a responsable of a pupil attending the school,
    /// chosen on the pupil's page (no id typed): the login is the e-mail on file or is made of
    /// the names; the activation link goes to that e-mail (outbox), and the page prints it as
    /// a letter with a QR code for families without one. One account per responsable.
    pub fn creer_compte_famille(
        &self,
        eleve: &crate::domain::EleveId,
        responsable: &crate::domain::ResponsableId,
    ) -> Result<CompteFamille> {
        self.autoriser(Ressource::Compte, Action::Creer)?;
        let (fiche, existant, annee) = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let f = crate::store::parcours::fiche(c, &self.acteur.perimetre, eleve, annee)?;
            if !f.etat.est_present() {
                return Err(crate::store::Error::Introuvable("élève"));
            }
            let fiche = crate::store::eleves::fiche(c, &self.acteur.perimetre, eleve, annee)?;
            Ok((fiche, crate::store::corrections::compte_du_responsable(c, responsable)?, annee))
        })?;
        let r = fiche
            .responsables
            .iter()
            .find(|r| &r.id == responsable)
            .ok_or(crate::store::Error::Introuvable("responsable"))?;
        if let Some(login) = existant {
            return Err(super::Error::Conflit(format!(
                "ce responsable a déjà un compte (identifiant « {login} ») : envoyez-lui plutôt un lien de réinitialisation depuis la page Comptes"
            )));
        }
        let mut candidats = Vec::new();
        if let Some(c) = r.personne.courriel.as_deref().and_then(|c| auth::valider_login(c).ok()) {
            candidats.push(c);
        }
        let mut base_login = login_de(r.personne.prenom.as_str(), r.personne.nom.as_str());
        if base_login.len() < 5 {
            // A name in a script the login alphabet does not have.
            base_login = "famille".into();
        }
        candidats.push(base_login.clone());
        for _ in 0..5 {
            let n: u16 = rand::RngExt::random_range(&mut rand::rng(), 100..1000);
            candidats.push(format!("{base_login}.{n}"));
        }
        let login = self
            .store
            .read(|c| {
                for l in &candidats {
                    if auth::valider_login(l).is_ok() && !crate::store::corrections::login_pris(c, l)? {
                        return Ok(Some(l.clone()));
                    }
                }
                Ok(None)
            })?
            .ok_or_else(|| super::Error::Conflit("aucun identifiant libre n'a été trouvé : réessayez".into()))?;
        let n = auth::NouveauCompte {
            login: login.clone(),
            role: Role::Responsable,
            perimetre: Perimetre::Responsable(responsable.clone()),
            nom: None,
        };
        let (id, jeton) = auth::creer_compte(self.store, self.cles, self.le, self.acteur, &n)?;
        let destinataire = r.personne.designation();
        let enfant = format!("{} {}", fiche.eleve.prenoms, fiche.eleve.nom);
        // The mail's link is built from the public address only (see [`adresse_publique`]);
        // without one, or if the outbox cannot be written, the letter is the way.
        let public = adresse_publique(self.store)?;
        let mut envoye = None;
        if let (Some(courriel), Some(base)) = (&r.personne.courriel, public) {
            let texte = format!(
                "Bonjour,\n\nLa direction de l'école a ouvert pour vous un compte sur le registre des élèves, pour {enfant}.\n\
                 Vous pourrez y consulter ce que l'école conserve, télécharger la fiche de renseignements et le certificat de scolarité,\n\
                 et demander une correction.\n\nVotre identifiant : {login}\n\
                 Choisissez votre mot de passe en ouvrant ce lien (valable 72 heures) :\n\n{base}/activer?jeton={jeton}\n"
            );
            match super::courrier::deposer(
                self.store.path(),
                courriel,
                "Registre des élèves : votre compte",
                &texte,
                self.le,
            ) {
                Ok(_) => envoye = Some(courriel.clone()),
                Err(e) => {
                    tracing::error!(erreur = %e, "compte de la famille : courriel non déposé, la lettre le remplace")
                }
            }
        }
        let adresse = [
            r.personne.adresse.clone(),
            r.personne.code_postal.clone(),
            r.personne.commune.clone(),
            r.personne.pays.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        Ok(CompteFamille {
            compte_id: id.to_string(),
            login,
            jeton,
            destinataire,
            adresse: (!adresse.is_empty()).then_some(adresse),
            enfant,
            courriel: envoye,
            ecole: fiche.scolarite(annee).map(|s| s.ecole.clone()).unwrap_or_default(),
        })
    }

    /// The responsables of a pupil of the school who already have a family account (the page
    /// offers the others only).
    pub fn responsables_avec_compte(
        &self,
        eleve: &crate::domain::EleveId,
    ) -> Result<std::collections::HashSet<crate::domain::ResponsableId>> {
        self.autoriser(Ressource::Compte, Action::Lister)?;
        Ok(self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let fiche = crate::store::eleves::fiche(c, &self.acteur.perimetre, eleve, annee)?;
            let mut out = std::collections::HashSet::new();
            for r in fiche.responsables {
                if crate::store::corrections::compte_du_responsable(c, &r.id)?.is_some() {
                    out.insert(r.id);
                }
            }
            Ok(out)
        })?)
    }

    /// The territories the actor may give a new staff account of `role`, to pick from a list:
    /// only the kind that fits the role (a school for a directeur, a circonscription for an
    /// IEN…), within the actor's département.
    pub fn territoires_proposes(&self, role: Role) -> Result<Vec<(String, String)>> {
        self.autoriser(Ressource::Compte, Action::Creer)?;
        let genre = match role {
            Role::Directeur => "ecole",
            Role::AgentMairie => "commune",
            Role::Ien => "circonscription",
            Role::PrincipalCollege => "college",
            _ => return Ok(Vec::new()),
        };
        if !crate::policy::peut_creer(self.acteur.role, role) {
            return Ok(Vec::new());
        }
        Ok(self.store.read(|c| territoires::proposes(c, &self.acteur.perimetre, genre))?)
    }
}

/// Checks a new account's login, as the accounts form shows it beside its field (pure: the
/// account's creation checks it again).
pub fn valider_login(login: &str) -> std::result::Result<String, auth::Error> {
    auth::valider_login(login)
}

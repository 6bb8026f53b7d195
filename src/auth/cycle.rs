//! An account's life: created pending, activated through its link, its password changed or
//! reset, its second factor enrolled, disabled; and the daily clean-up of expired sessions and
//! accounts never activated. The rules are those of [`super`].

use super::*;

/// A new account, as asked.
#[derive(Debug, Clone)]
pub struct NouveauCompte {
    /// Login (letters, digits, `.`, `-`, `_`; 3 to 60).
    pub login: String,
    /// Role.
    pub role: Role,
    /// Perimeter.
    pub perimetre: Perimetre,
    /// Holder's name.
    pub nom: Option<String>,
}

/// Checks a login's shape.
pub fn valider_login(login: &str) -> Result<String> {
    let l = login.trim().to_lowercase();
    let ok = (3..=60).contains(&l.chars().count())
        && l.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(l)
    } else {
        Err(Error::Invalide {
            champ: "identifiant",
            message: "3 à 60 caractères : lettres sans accent, chiffres, point, tiret, @".into(),
        })
    }
}

/// Creates a pending account and returns its activation token (to put in a link, shown once).
/// `createur` must be allowed to create that role in that perimeter.
pub fn creer_compte(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    createur: &Acteur,
    n: &NouveauCompte,
) -> Result<(CompteId, String)> {
    let login = valider_login(&n.login);
    let nom = match n.nom.as_deref() {
        Some(s) => crate::domain::identite::nettoyer("nom", s, 100)
            .map(Some)
            .map_err(|e| Error::Invalide { champ: "nom", message: e.probleme }),
        None => Ok(None),
    };
    // Both fields checked, both refusals reported.
    let (login, nom) = match (login, nom) {
        (Ok(l), Ok(n)) => (l, n),
        (Err(a), Err(b)) => return Err(Error::Plusieurs(vec![a, b])),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    if !policy::peut_creer(createur.role, n.role) {
        return Err(Error::Interdit(format!("votre rôle ne permet pas de créer un compte « {} »", n.role.libelle())));
    }
    if !n.role.admet(&n.perimetre) {
        return Err(Error::Invalide {
            champ: "périmètre",
            message: format!("un compte « {} » porte sur {}", n.role.libelle(), n.role.perimetre_attendu()),
        });
    }
    let jeton = aleatoire();
    let id = CompteId::random(&mut rand::rng());
    store.ecrire(|tx| {
        if territoires::nom_perimetre(tx, &n.perimetre)?.is_none()
            && !matches!(n.perimetre, Perimetre::Installation | Perimetre::Responsable(_))
        {
            return Err(store::Error::Introuvable("périmètre"));
        }
        if !territoires::perimetre_inclus(tx, &n.perimetre, &createur.perimetre)? {
            return Err(store::Error::Introuvable("périmètre"));
        }
        // One family account per responsable (checked here, in the transaction that creates it).
        if let Perimetre::Responsable(r) = &n.perimetre
            && let Some(login) = store::corrections::compte_du_responsable(tx, r)?
        {
            return Err(store::Error::Conflit(format!(
                "ce responsable a déjà un compte (identifiant « {login} ») : envoyez-lui plutôt un lien de réinitialisation depuis la page Comptes"
            )));
        }
        comptes::creer(tx, &id, &login, n.role, &n.perimetre, nom.as_deref(), &createur.auteur.id, le)?;
        comptes::creer_jeton(tx, &empreinte(&jeton), &id, "activation", le + VALIDITE_ACTIVATION)?;
        let detail = serde_json::json!({ "role": n.role.code(), "perimetre": n.perimetre.genre() });
        audit::ajouter(
            tx,
            cles,
            &createur.auteur,
            le,
            &[Fait::new(Action::Creer, "compte").cible(id.to_string()).detail(detail)],
        )
    })?;
    Ok((id, jeton))
}

pub(super) fn contexte(k: &Compte) -> Vec<String> {
    let mut v = vec![k.login.clone()];
    v.extend(k.login.split(['.', '-', '_', '@']).map(str::to_string));
    if let Some(n) = &k.nom {
        v.push(n.clone());
    }
    v
}

/// Activates an account from its link: the user chooses the password.
pub fn activer(store: &Store, cles: &Cles, le: OffsetDateTime, jeton: &str, mdp: &str) -> Result<Compte> {
    // The rules are checked before the token is spent, so a refused password can be retried.
    let (e, k) = compte_du_lien_d_activation(store, jeton, le)?;
    let ctx = contexte(&k);
    let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
    mot_de_passe::verifier_regles(mdp, k.role.longueur_minimale(), &ctx)?;
    let hash = mot_de_passe::hacher(mdp);
    store
        .ecrire(|tx| {
            if comptes::consommer_jeton(tx, &e, "activation", le)?.as_ref() != Some(&k.id) {
                return Err(store::Error::Conflit("lien".into()));
            }
            comptes::activer(tx, &k.id, &hash, le)?;
            noter_du_compte(tx, cles, &k, le, Action::Modifier, "compte", serde_json::json!({"activation": true}))
        })
        .map_err(|e| if matches!(e, store::Error::Conflit(_)) { Error::Lien } else { e.into() })?;
    Ok(store.read(|c| comptes::par_id(c, &k.id))?)
}

/// A password-reset link for an account the actor manages (the token, shown once).
pub fn lien_reinitialisation(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    acteur: &Acteur,
    id: &CompteId,
) -> Result<String> {
    let k = gere(store, acteur, id)?;
    if k.etat != Etat::Actif {
        return Err(Error::Interdit("seul un compte actif peut recevoir un lien de réinitialisation".into()));
    }
    let jeton = aleatoire();
    store.ecrire(|tx| {
        comptes::creer_jeton(tx, &empreinte(&jeton), &k.id, "reinitialisation", le + VALIDITE_REINITIALISATION)?;
        audit::ajouter(
            tx,
            cles,
            &acteur.auteur,
            le,
            &[Fait::new(Action::Modifier, "compte")
                .cible(k.id.to_string())
                .detail(serde_json::json!({"lien_reinitialisation": true}))],
        )
    })?;
    Ok(jeton)
}

/// « Mot de passe oublié » (no session): notes the request for the account's manager and, for
/// a family account whose responsable has an e-mail on file, issues a reset link to send there
/// (returns the address and the token). An unknown, pending or deactivated login, or a request
/// repeated within a quarter of an hour, does nothing: the caller answers the same in every
/// case, so the answer reveals no account.
pub fn mot_de_passe_oublie(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    login: &str,
    envoi_possible: bool,
) -> Result<Option<(String, String)>> {
    let Ok(login) = valider_login(login) else { return Ok(None) };
    let k = store.read(|c| comptes::par_login(c, &login))?;
    let Some(k) = k.filter(|k| k.etat == Etat::Actif) else { return Ok(None) };
    let jeton = aleatoire();
    Ok(store.ecrire(|tx| {
        if !store::corrections::noter_demande_reinitialisation(tx, &k.id, le)? {
            return Ok::<_, crate::store::Error>(None);
        }
        let courriel = match &k.perimetre {
            Perimetre::Responsable(r) if envoi_possible => store::corrections::courriel_responsable(tx, r)?,
            _ => None,
        };
        if courriel.is_some() {
            comptes::creer_jeton(tx, &empreinte(&jeton), &k.id, "reinitialisation", le + VALIDITE_REINITIALISATION)?;
        }
        let detail = serde_json::json!({ "mot_de_passe_oublie": true, "courriel": courriel.is_some() });
        noter_du_compte(tx, cles, &k, le, Action::Modifier, "compte", detail)?;
        Ok(courriel.map(|c| (c, jeton.clone())))
    })?)
}

/// Sets a new password from a reset link; unlocks the account and ends its sessions.
pub fn reinitialiser(store: &Store, cles: &Cles, le: OffsetDateTime, jeton: &str, mdp: &str) -> Result<()> {
    if jeton.len() != 64 {
        return Err(Error::Lien);
    }
    let e = empreinte(jeton);
    let k = store.read(|c| {
        // A SQLite error stays an error: only an unknown or spent token is « lien invalide ».
        match comptes::compte_du_jeton(c, &e, "reinitialisation")? {
            Some(id) => Ok(Some(comptes::par_id(c, &id)?)),
            None => Ok(None),
        }
    })?;
    let Some(k) = k.filter(|k| k.etat == Etat::Actif) else { return Err(Error::Lien) };
    let ctx = contexte(&k);
    let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
    mot_de_passe::verifier_regles(mdp, k.role.longueur_minimale(), &ctx)?;
    let hash = mot_de_passe::hacher(mdp);
    store
        .ecrire(|tx| {
            if comptes::consommer_jeton(tx, &e, "reinitialisation", le)?.as_ref() != Some(&k.id) {
                return Err(store::Error::Conflit("lien".into()));
            }
            comptes::changer_mot_de_passe(tx, &k.id, &hash)?;
            comptes::supprimer_sessions(tx, &k.id)?;
            store::corrections::effacer_demande_reinitialisation(tx, &k.id)?;
            let detail = serde_json::json!({"reinitialisation": true});
            noter_du_compte(tx, cles, &k, le, Action::Modifier, "compte", detail)
        })
        .map_err(|e| if matches!(e, store::Error::Conflit(_)) { Error::Lien } else { e.into() })
}

/// Changes one's own password (the current one is required); other sessions end.
pub fn changer_mot_de_passe(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    acteur: &Acteur,
    ancien: &str,
    nouveau: &str,
) -> Result<()> {
    let id = acteur.compte.clone().ok_or_else(|| Error::Interdit("pas de compte".into()))?;
    let k = store.read(|c| comptes::par_id(c, &id))?;
    if !mot_de_passe::verifier(ancien, k.mot_de_passe.as_deref().unwrap_or_default()) {
        return Err(Error::Verification("le mot de passe actuel est incorrect".into()));
    }
    let ctx = contexte(&k);
    let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
    mot_de_passe::verifier_regles(nouveau, k.role.longueur_minimale(), &ctx)?;
    let hash = mot_de_passe::hacher(nouveau);
    store.ecrire(|tx| {
        comptes::changer_mot_de_passe(tx, &id, &hash)?;
        comptes::fermer_autres_sessions(tx, &id, acteur.session.as_deref().unwrap_or(""))?;
        audit::ajouter(
            tx,
            cles,
            &acteur.auteur,
            le,
            &[Fait::new(Action::Modifier, "compte")
                .cible(id.to_string())
                .detail(serde_json::json!({"mot_de_passe": true}))],
        )
    })?;
    Ok(())
}

/// The start of a TOTP enrolment: a new secret, stored encrypted and unconfirmed.
pub fn commencer_totp(store: &Store, cles: &Cles, acteur: &Acteur) -> Result<Vec<u8>> {
    let id = acteur.compte.clone().ok_or_else(|| Error::Interdit("pas de compte".into()))?;
    let k = store.read(|c| comptes::par_id(c, &id))?;
    if k.totp_confirme {
        return Err(Error::Interdit("le second facteur est déjà activé".into()));
    }
    let secret = totp::nouveau_secret();
    store.ecrire(|tx| comptes::poser_totp(tx, &id, &totp::chiffrer(cles, id.as_str(), &secret), false))?;
    Ok(secret)
}

/// Confirms a TOTP enrolment with a code; returns the recovery codes (shown once) and marks the
/// current session as having the second factor.
pub fn confirmer_totp(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    acteur: &Acteur,
    code: &str,
) -> Result<Vec<String>> {
    let id = acteur.compte.clone().ok_or_else(|| Error::Interdit("pas de compte".into()))?;
    let k = store.read(|c| comptes::par_id(c, &id))?;
    if k.totp_confirme {
        return Err(Error::Interdit("le second facteur est déjà activé".into()));
    }
    let secret = k
        .totp_chiffre
        .as_deref()
        .and_then(|s| totp::dechiffrer(cles, id.as_str(), s))
        .ok_or_else(|| Error::Verification("commencez par afficher le secret à enregistrer".into()))?;
    let etape =
        totp::etape_valide(&secret, code, u64::try_from(le.unix_timestamp()).unwrap_or(0)).ok_or_else(|| {
            Error::Verification("code incorrect : vérifiez l'heure de votre téléphone et réessayez".into())
        })?;
    let codes = totp::codes_secours();
    let empreintes: Vec<String> = codes.iter().map(|c| totp::empreinte_code(cles, id.as_str(), c)).collect();
    store.ecrire(|tx| {
        comptes::confirmer_totp(tx, &id, etape)?;
        comptes::poser_codes_secours(tx, &id, &empreintes)?;
        if let Some(s) = &acteur.session {
            comptes::reauthentifier_session(tx, s, true, le)?;
        }
        audit::ajouter(
            tx,
            cles,
            &acteur.auteur,
            le,
            &[Fait::new(Action::Modifier, "compte")
                .cible(id.to_string())
                .detail(serde_json::json!({"second_facteur": true}))],
        )
    })?;
    Ok(codes)
}

/// An account the actor manages (created in their perimeter, of a role they may create).
pub(super) fn gere(store: &Store, acteur: &Acteur, id: &CompteId) -> Result<Compte> {
    let k = store.read(|c| comptes::par_id(c, id))?;
    let ok = policy::peut_creer(acteur.role, k.role)
        && store.read(|c| territoires::perimetre_inclus(c, &k.perimetre, &acteur.perimetre))?;
    if ok { Ok(k) } else { Err(Error::Store(store::Error::Introuvable("compte"))) }
}

/// Disables an account the actor manages; its sessions end at once.
pub fn desactiver(store: &Store, cles: &Cles, le: OffsetDateTime, acteur: &Acteur, id: &CompteId) -> Result<()> {
    let k = gere(store, acteur, id)?;
    store.ecrire(|tx| {
        comptes::changer_etat(tx, &k.id, Etat::Desactive)?;
        comptes::supprimer_sessions(tx, &k.id)?;
        audit::ajouter(tx, cles, &acteur.auteur, le, &[Fait::new(Action::Supprimer, "compte").cible(k.id.to_string())])
    })?;
    Ok(())
}

/// The accounts the actor manages.
pub fn comptes_geres(store: &Store, acteur: &Acteur) -> Result<Vec<Compte>> {
    let roles: Vec<Role> = Role::COMPTES.into_iter().filter(|r| policy::peut_creer(acteur.role, *r)).collect();
    let tous = store.read(|c| {
        let sql_all = comptes::lister(c, &all_perimeters(c)?, &roles)?;
        let mut out = Vec::new();
        for k in sql_all {
            if territoires::perimetre_inclus(c, &k.perimetre, &acteur.perimetre)? {
                out.push(k);
            }
        }
        Ok(out)
    })?;
    Ok(tous)
}

pub(super) fn all_perimeters(c: &store::Lecture) -> store::Result<Vec<(String, Option<String>)>> {
    comptes::perimetres_des_comptes(c)
}

/// Removes expired sessions and never-activated accounts past 30 days.
pub fn nettoyer(store: &Store, le: OffsetDateTime) -> Result<(usize, usize)> {
    Ok(store.ecrire(|tx| comptes::nettoyer(tx, le - DUREE_MAX, le - EXPIRATION_EN_ATTENTE))?)
}

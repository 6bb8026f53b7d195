//! One pupil's line of an import: found and updated, found and admitted, or admitted as new.

use super::*;

impl Service<'_> {
    /// One pupil's line: found and updated, found and admitted, or admitted as new.
    pub(super) fn ligne_eleve(
        &self,
        tx: &Transaction<'_>,
        ecole: &EcoleId,
        annee: AnneeScolaire,
        l: &LigneEleve,
        bilan: &mut Bilan,
    ) -> Result<EleveId> {
        let p = &self.acteur.perimetre;
        let (identite, avertissements) = l.saisie.valider_lieu_a_completer(self.today())?;
        bilan.messages.extend(avertissements);
        let trouve = match &identite.ine {
            Some(ine) => crate::store::onde::par_ine(tx, ine)?,
            None => None,
        };
        // An INE is not a key to someone else's record: held by a child of another name or
        // birth date, the line is refused without saying whose it is.
        if let Some(id) = &trouve {
            let (nom, prenoms, sexe, naissance) = crate::store::onde::identite_courte(tx, id)?;
            let premier = |p: &str| cle_recherche(p).split(' ').next().unwrap_or_default().to_string();
            if naissance != identite.date_naissance
                || sexe != identite.sexe
                || cle_recherche(&nom) != cle_recherche(identite.nom.as_str())
                || premier(&prenoms) != premier(identite.prenoms.as_str())
            {
                return Err(Error::Conflit(
                    "cet INE est déjà attribué à un autre élève (nom, prénom, sexe ou date de naissance différents) : vérifiez-le"
                        .into(),
                ));
            }
        }
        let trouve = match trouve {
            Some(id) => Some(id),
            None => {
                let memes = crate::store::onde::memes_criteres(
                    tx,
                    identite.nom.as_str(),
                    identite.prenoms.as_str(),
                    identite.sexe,
                    identite.date_naissance,
                    &identite.naissance_insee,
                )?;
                match memes.as_slice() {
                    [] => None,
                    [un] => Some(un.clone()),
                    _ => {
                        return Err(Error::Conflit(
                            "plusieurs élèves connus ont ces nom, prénom, sexe et date de naissance : admettez-le depuis la page d'admission, qui les montre"
                                .into(),
                        ));
                    }
                }
            }
        };
        let classe = |tx: &Transaction<'_>, niveau: Niveau, bilan: &mut Bilan| -> Result<Option<ClasseId>> {
            match &l.classe {
                Some(lib) => Ok(Some(self.classe_du_fichier(tx, ecole, annee, lib, niveau, bilan)?)),
                None => Ok(None),
            }
        };
        let frequentee = match &trouve {
            Some(id) => sc::ecole_frequentee(tx, id, annee)?.map(|(e, _)| e),
            None => None,
        };
        let id = match (trouve, frequentee) {
            // Attending the school this year: updated from the file.
            (Some(id), Some(e)) if e == *ecole => {
                self.mettre_a_jour(tx, &id, annee, l, &identite, bilan, ecole)?;
                id
            }
            // Known (same INE or five criteria), or new: admitted, like the admission form.
            (trouve, _) => {
                let niveau =
                    l.niveau.ok_or_else(|| ChampInvalide::new("niveau", "obligatoire pour admettre l'élève"))?;
                let classe_id = classe(tx, niveau, bilan)?;
                let eleve = match trouve {
                    Some(id) => {
                        if let (Some(ine), Some(stocke)) = (&identite.ine, sc_ine(tx, &id)?)
                            && *ine != stocke
                        {
                            return Err(Error::Conflit(
                                "un élève connu a ces cinq critères avec un autre INE : vérifiez l'INE du fichier"
                                    .into(),
                            ));
                        }
                        EleveInscrit::Existant(id)
                    }
                    None => {
                        let proches = sc::candidats(
                            tx,
                            &crate::store::parcours::Criteres {
                                nom: identite.nom.as_str().into(),
                                prenoms: identite.prenoms.as_str().into(),
                                sexe: identite.sexe,
                                date_naissance: identite.date_naissance,
                                naissance_insee: identite.naissance_insee.clone(),
                            },
                            SEUIL_DOUBLON,
                        )?;
                        if !proches.is_empty() {
                            bilan.messages.push(format!(
                                "{} élève(s) proche(s) déjà connu(s) : vérifiez qu'il ne s'agit pas d'un doublon",
                                proches.len()
                            ));
                        }
                        EleveInscrit::Nouveau {
                            identite: Box::new(identite.clone()),
                            responsables: vec![],
                            contacts: vec![],
                            confirmer_nouveau: true,
                        }
                    }
                };
                let nouveau = matches!(eleve, EleveInscrit::Nouveau { .. });
                let d = DemandeAdmission {
                    origine: Origine::Eleve { eleve, ecole: Some(ecole.clone()) },
                    niveau: Some(niveau),
                    pieces_manquantes: l.pieces.clone(),
                    classe: classe_id,
                    ulis: l.ulis,
                    date: l.date_admission,
                    provenance: None,
                };
                let res = self.admettre_dans(tx, &d, &mut bilan.messages).map_err(|e| match e {
                    // Never the name of the school a known pupil attends (the import is not a search).
                    Error::Transition(_) if !nouveau => Error::Conflit(
                        "élève déjà connu, qui fréquente une autre école cette année : son admission attend sa radiation"
                            .into(),
                    ),
                    e => e,
                })?;
                let id = EleveId::parse(&res.eleve_id).map_err(|_| store::Error::Introuvable("élève"))?;
                if l.photo.is_some() {
                    let vu = eleves::voir(tx, p, &id)?;
                    let mut a = stc_annuel(tx, p, &id, annee)?;
                    a.autorisation_photo = l.photo;
                    eleves::upsert_annuel(tx, vu.eleve(), annee, &a)?;
                }
                if nouveau {
                    if identite.naissance_insee.est_a_completer() {
                        bilan.messages.push("lieu de naissance à compléter (absent du fichier)".into());
                    }
                } else {
                    bilan.messages.push("élève déjà connu : admis avec son INE et son historique".into());
                }
                bilan.issue = Some(Issue::Cree);
                id
            }
        };
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn mettre_a_jour(
        &self,
        tx: &Transaction<'_>,
        id: &EleveId,
        annee: AnneeScolaire,
        l: &LigneEleve,
        fichier: &EleveIdentite,
        bilan: &mut Bilan,
        ecole: &EcoleId,
    ) -> Result<()> {
        let p = &self.acteur.perimetre;
        let f = eleves::fiche(tx, p, id, annee)?;
        let stocke = identite_stockee(&f)?;
        if let (Some(a), Some(b)) = (&fichier.ine, &stocke.ine)
            && a != b
        {
            return Err(Error::Conflit("l'INE du fichier diffère de celui du registre : vérifiez-le".into()));
        }
        // An empty cell keeps what is stored; a birthplace still to complete never replaces one.
        let garder = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        let (insee, lieu) = if fichier.naissance_insee.est_a_completer() {
            (stocke.naissance_insee.clone(), stocke.naissance_lieu.clone())
        } else {
            (fichier.naissance_insee.clone(), fichier.naissance_lieu.clone())
        };
        // The ministry's file gives the first prénom only: the stored prénoms are kept when
        // they begin with the file's.
        let prenoms = {
            let (f, st) = (cle_recherche(fichier.prenoms.as_str()), cle_recherche(stocke.prenoms.as_str()));
            if st == f || st.starts_with(&format!("{f} ")) { stocke.prenoms.clone() } else { fichier.prenoms.clone() }
        };
        let nouvelle = EleveIdentite {
            prenoms,
            nom_usage: fichier.nom_usage.clone().or_else(|| stocke.nom_usage.clone()),
            naissance_insee: insee,
            naissance_lieu: lieu,
            adresse: garder(&fichier.adresse, &stocke.adresse),
            code_postal: garder(&fichier.code_postal, &stocke.code_postal),
            commune_residence: garder(&fichier.commune_residence, &stocke.commune_residence),
            ine: stocke.ine.clone(),
            ..fichier.clone()
        };
        let mut champs: Vec<&str> = Vec::new();
        for (nom, change) in [
            ("nom", nouvelle.nom != stocke.nom),
            ("nom_usage", nouvelle.nom_usage != stocke.nom_usage),
            ("prenoms", nouvelle.prenoms != stocke.prenoms),
            ("sexe", nouvelle.sexe != stocke.sexe),
            ("date_naissance", nouvelle.date_naissance != stocke.date_naissance),
            ("naissance", nouvelle.naissance_insee != stocke.naissance_insee),
            ("naissance_lieu", nouvelle.naissance_lieu != stocke.naissance_lieu),
            ("adresse", nouvelle.adresse != stocke.adresse),
            ("code_postal", nouvelle.code_postal != stocke.code_postal),
            ("commune_residence", nouvelle.commune_residence != stocke.commune_residence),
        ] {
            if change {
                champs.push(nom);
            }
        }
        let vu = eleves::voir(tx, p, id)?;
        if !champs.is_empty() {
            stc::modifier_eleve(tx, &vu, &nouvelle)?;
        }
        let fiche = sc::fiche(tx, p, id, annee)?;
        if let Some(n) = l.niveau
            && n != fiche.niveau
        {
            bilan.messages.push(format!(
                "niveau {n} dans le fichier, {} dans le registre : non modifié (passage ou changement à faire depuis la fiche)",
                fiche.niveau
            ));
        }
        let classe = match &l.classe {
            Some(lib) => Some(self.classe_du_fichier(tx, ecole, annee, lib, fiche.niveau, bilan)?),
            None => None,
        };
        if let Some(k) = classe
            && fiche.classe_id.as_ref() != Some(&k)
        {
            sc::placer(tx, &fiche.id, Some(&k))?;
            champs.push("classe");
        }
        if let Some(photo) = l.photo
            && f.annuel.as_ref().and_then(|a| a.autorisation_photo) != Some(photo)
        {
            let mut a = f.annuel.clone().unwrap_or_default();
            a.autorisation_photo = Some(photo);
            eleves::upsert_annuel(tx, id, annee, &a)?;
            champs.push("autorisation_photo");
        }
        if !champs.is_empty() {
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "eleve")
                    .cible(id.to_string())
                    .eleve(id.to_string())
                    .detail(json!({ "origine": "import", "champs": champs }))],
            )?;
            bilan.issue = Some(Issue::MisAJour);
        }
        Ok(())
    }
}

fn sc_ine(tx: &Transaction<'_>, id: &EleveId) -> Result<Option<crate::domain::Ine>> {
    Ok(crate::store::onde::ine_de(tx, id)?)
}

fn stc_annuel(
    tx: &Transaction<'_>,
    p: &crate::domain::Perimetre,
    id: &EleveId,
    annee: AnneeScolaire,
) -> Result<eleves::Annuel> {
    Ok(eleves::fiche(tx, p, id, annee)?.annuel.unwrap_or_default())
}

/// The stored identity, typed like the file's (not bounded by today's date: it is stored).
fn identite_stockee(f: &FicheEleve) -> Result<EleveIdentite> {
    let e = &f.eleve;
    Ok(EleveIdentite {
        nom: crate::domain::Nom::parse(&e.nom)?,
        nom_usage: match &e.nom_usage {
            Some(u) => Some(crate::domain::Nom::parse_champ("nom d'usage", u)?),
            None => None,
        },
        prenoms: crate::domain::Prenoms::parse(&e.prenoms)?,
        sexe: e.sexe,
        date_naissance: e.date_naissance,
        naissance_insee: e.naissance_insee.clone(),
        naissance_lieu: e.naissance_lieu.clone(),
        adresse: e.adresse.clone(),
        code_postal: e.code_postal.clone(),
        commune_residence: e.commune_residence.clone(),
        ine: e.ine.clone(),
    })
}

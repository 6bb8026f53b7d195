//! One responsable's line of an import: matched to each child it names among the school's
//! pupils, updated or created once, and linked.

use super::*;

impl Service<'_> {
    pub(super) fn presents(
        &self,
        tx: &crate::store::Lecture,
        ecole: &EcoleId,
        annee: AnneeScolaire,
    ) -> Result<Vec<Present>> {
        let p = &self.acteur.perimetre;
        let mut out = Vec::new();
        for id in crate::store::onde::eleves_presents(tx, ecole, annee)? {
            let f = eleves::fiche(tx, p, &id, annee)?;
            out.push(Present {
                id,
                nom: f.eleve.nom.clone(),
                nom_usage: f.eleve.nom_usage.clone(),
                prenoms: f.eleve.prenoms.clone(),
                classe: f.scolarite(annee).and_then(|s| s.classe.clone()),
            });
        }
        Ok(out)
    }

    /// One responsable's line: matched to each child named, updated or created once, and linked.
    pub(super) fn ligne_responsable(
        &self,
        tx: &Transaction<'_>,
        l: &LigneResponsable,
        presents: &[Present],
        associations: &HashMap<EleveId, bool>,
        bilan: &mut Bilan,
    ) -> Result<()> {
        let p = &self.acteur.perimetre;
        let r = l.saisie.valider()?;
        if l.lien_deduit {
            bilan.messages.push(format!("lien « {} » déduit de la civilité : à vérifier", r.lien.libelle()));
        }
        let annee = territoires::annee_courante(tx)?;
        let mut enfants: Vec<(&Present, Option<Option<bool>>)> = Vec::new();
        for e in &l.enfants {
            let mut c: Vec<&Present> = presents
                .iter()
                .filter(|p| {
                    e.designe(&p.nom, &p.prenoms) || p.nom_usage.as_deref().is_some_and(|u| e.designe(u, &p.prenoms))
                })
                .collect();
            if c.len() > 1
                && let Some(k) = &e.classe
            {
                c.retain(|p| p.classe.as_deref().is_some_and(|pc| cle_recherche(pc) == cle_recherche(k)));
            }
            match c.as_slice() {
                [un] => enfants.push((un, e.associations)),
                [] => bilan.messages.push(format!(
                    "enfant {} {} introuvable parmi les élèves de l'école : ignoré",
                    e.nom.chars().take(60).collect::<String>(),
                    e.prenom.chars().take(60).collect::<String>()
                )),
                _ => bilan.messages.push(format!(
                    "plusieurs élèves de l'école s'appellent {} {} : rattachez ce responsable depuis leur fiche",
                    e.nom.chars().take(60).collect::<String>(),
                    e.prenom.chars().take(60).collect::<String>()
                )),
            }
        }
        if enfants.is_empty() {
            return Err(Error::Conflit(
                "aucun des enfants nommés n'est élève de l'école cette année (un enfant dont la ligne est refusée n'a pas été créé)"
                    .into(),
            ));
        }
        // The same person already on one of the children's records (a sibling's, or this one's).
        // By either of the file's names (d'usage, de naissance): a mother entered as DURAND and
        // written by the ministry's tool as MARTIN (d'usage) is one person.
        let noms: Vec<String> = std::iter::once(r.nom.as_str().to_string())
            .chain(l.autres_noms.iter().cloned())
            .map(|n| cle_recherche(&n))
            .collect();
        let meme = |x: &eleves::ResponsableFiche| {
            noms.contains(&cle_recherche(x.personne.nom.as_str()))
                && cle_recherche(x.personne.prenom.as_str()) == cle_recherche(r.prenom.as_str())
        };
        let mut connu: Option<ResponsableId> = None;
        let mut fiches = Vec::new();
        for (e, _) in &enfants {
            let f = eleves::fiche(tx, p, &e.id, annee)?;
            if connu.is_none() {
                connu = f.responsables.iter().find(|x| meme(x)).map(|x| x.id.clone());
            }
            fiches.push(f);
        }
        let mut issue = Issue::Inchange;
        let id = match connu {
            Some(id) => {
                let x = fiches
                    .iter()
                    .flat_map(|f| f.responsables.iter())
                    .find(|x| x.id == id)
                    .ok_or(store::Error::Introuvable("responsable"))?;
                let stocke = &x.personne;
                // What the file gives replaces what is kept; what it leaves empty is kept; the
                // name and the link stay as the school knows them.
                let mut saisie =
                    crate::domain::ResponsableSaisie { lien: stocke.lien.code().into(), ..Default::default() };
                for c in ChampResponsable::TOUS {
                    let v = match c {
                        ChampResponsable::Nom => c.texte(stocke),
                        ChampResponsable::Prenom => c.texte(&r),
                        _ => c.texte(&r).or_else(|| c.texte(stocke)),
                    };
                    c.poser(&mut saisie, v);
                }
                let nouveau = saisie.valider()?;
                if &nouveau != stocke {
                    let f = fiches.iter().find(|f| f.responsables.iter().any(|y| y.id == id));
                    let vu =
                        eleves::voir(tx, p, &f.map(|f| f.eleve.id.clone()).unwrap_or_else(|| enfants[0].0.id.clone()))?;
                    stc::modifier_responsable(tx, &vu, &id, &nouveau)?;
                    issue = Issue::MisAJour;
                }
                id
            }
            None => {
                let id = ResponsableId::random(&mut rand::rng());
                eleves::insert_responsable(tx, &id, &r)?;
                issue = Issue::Cree;
                id
            }
        };
        let mut faits = Vec::new();
        for (f, (_, accord_enfant)) in fiches.iter().zip(&enfants) {
            let vu = eleves::voir(tx, p, &f.eleve.id)?;
            let accord = match accord_enfant {
                Some(a) => *a,
                None => associations.get(&f.eleve.id).copied(),
            };
            match f.responsables.iter().find(|x| x.id == id) {
                Some(x) => {
                    let lien = if l.lien_deduit { x.personne.lien } else { r.lien };
                    let accord = accord.or(x.accord_associations);
                    if lien != x.personne.lien || accord != x.accord_associations {
                        stc::modifier_lien(tx, &vu, &id, lien, x.autorite_parentale, accord)?;
                        if issue == Issue::Inchange {
                            issue = Issue::MisAJour;
                        }
                    } else if issue == Issue::Inchange {
                        continue;
                    }
                }
                None => {
                    stc::rattacher(tx, &vu, &id, r.lien, true, accord)?;
                    if issue == Issue::Inchange {
                        issue = Issue::MisAJour;
                    }
                }
            }
            faits.push(
                Fait::new(if issue == Issue::Cree { Action::Creer } else { Action::Modifier }, "responsable")
                    .cible(id.to_string())
                    .eleve(f.eleve.id.to_string())
                    .detail(json!({ "origine": "import" })),
            );
        }
        self.journal(tx, &faits)?;
        bilan.issue = Some(issue);
        Ok(())
    }
}

//! The documents about a class, a school or an inscription rather than one pupil's record:
//! the class lists, the register, the certificates of inscription and of radiation, the
//! notification of a passage.

use super::*;

impl Imprimeur<'_> {
    pub(super) fn liste_classe(&self, id: &ClasseId) -> Result<Piece> {
        let p = self.perimetre;
        let (classe, lignes, tete) = self.store.read(|c| {
            let classe = classes::classe(c, p, id)?;
            let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(classe.annee) };
            let lignes = eleves::lister(c, p, &f)?;
            let tete = territoires::en_tete(c, &classe.ecole_id)?;
            Ok((classe, lignes, tete))
        })?;
        let effectifs = classe
            .niveaux
            .iter()
            .map(|n: &Niveau| {
                let du_niveau = lignes.iter().filter(|l| l.niveau == *n);
                let filles = du_niveau.clone().filter(|l| l.sexe == Sexe::F).count();
                EffectifNiveau { niveau: n.code(), filles, garcons: du_niveau.count() - filles }
            })
            .collect();
        let eleves = lignes
            .iter()
            .map(|l| EleveListe {
                nom: l.nom.clone(),
                prenoms: l.prenoms.clone(),
                sexe: l.sexe.code(),
                date_naissance: date_fr(l.date_naissance),
                niveau: l.niveau.code(),
            })
            .collect();
        let data = valeur(&ListeClasse {
            ecole: ecole_json(&tete),
            annee: classe.annee.to_string(),
            classe: ClasseDoc {
                libelle: classe.libelle.clone(),
                niveaux: classe.niveaux.iter().map(|n| n.code()).collect::<Vec<_>>().join(", "),
                enseignant: classe.enseignant.clone(),
            },
            eleves,
            effectifs,
            fait_a: tete.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })?;
        Ok(Piece {
            nom_fichier: format!("{}-{}/{}/liste-classe.pdf", tete.uai, ascii(&tete.nom), ascii(&classe.libelle)),
            ident: format!("{id}/{}", classe.annee),
            data,
            le: self.le,
        })
    }

    pub(super) fn registre(&self, id: &EcoleId, annee: AnneeScolaire) -> Result<Piece> {
        let (lignes, tete) = self.store.read(|c| Ok((sc::registre(c, id, annee)?, territoires::en_tete(c, id)?)))?;
        let lignes = lignes
            .into_iter()
            .map(|l| LigneRegistreDoc {
                date_naissance: date_fr(l.date_naissance),
                radiation_precedente: l.radiation_precedente.map(date_fr),
                inscription: date_fr(l.inscription),
                radiation: l.radiation.map(date_fr),
                nom: l.nom,
                prenoms: l.prenoms,
                responsables: l.responsables,
                adresse: l.adresse,
                ecole_precedente: l.ecole_precedente,
                observations: l.observations,
            })
            .collect();
        let data = valeur(&RegistreDoc {
            ecole: ecole_json(&tete),
            annee: annee.to_string(),
            lignes,
            fait_a: tete.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })?;
        Ok(Piece {
            nom_fichier: format!("registre-eleves-{}-{}.pdf", tete.uai, annee),
            ident: format!("{id}/{annee}"),
            data,
            le: self.le,
        })
    }

    pub(super) fn certificat_inscription(&self, id: &str) -> Result<Piece> {
        let p = self.perimetre;
        let (i, eleve, responsables, commune, ecole) = self.store.read(|c| {
            let i = sc::inscription(c, p, id)?;
            let eleve = EleveId::parse(&i.eleve_id).map_err(|_| store::Error::Introuvable("élève"))?;
            // A pupil known elsewhere (inscription by `eleve_id`) is not readable through its
            // inscription: the certificate then prints the five criteria of the duplicate
            // search, which whoever chose the pupil typed, and no address nor responsable.
            let (eleve, responsables) = match eleves::fiche(c, p, &eleve, i.annee) {
                Ok(f) => (f.eleve.clone(), responsables_lignes(&f)),
                Err(store::Error::Introuvable(_)) => (sc::identite_connue(c, p, id)?, vec![]),
                Err(e) => return Err(e),
            };
            let commune = sc::commune(c, &i.commune_id)?;
            let ecole = match &i.ecole_id {
                Some(e) => {
                    Some(territoires::en_tete(c, &EcoleId::parse(e).map_err(|_| store::Error::Introuvable("école"))?)?)
                }
                None => None,
            };
            Ok((i, eleve, responsables, commune, ecole))
        })?;
        let (commune_nom, insee, departement) = commune;
        let initiales = crate::domain::identite::initiales(&eleve.prenoms, &eleve.nom);
        let (prefixe, emetteur) = match (&ecole, i.par_ecole) {
            (Some(e), true) => (format!("CI-{}", e.uai), e.nom.clone()),
            _ => (format!("CI-{insee}"), format!("Mairie de {commune_nom}")),
        };
        let adresse = self.adresse_publique()?;
        let emission = Emission {
            genre: "inscription",
            sujet: &format!("inscription:{id}"),
            eleve: &eleve.id,
            prefixe: &prefixe,
            emetteur: &emetteur,
            initiales: &initiales,
        };
        let (data, le) = self.delivrer(Document::CertificatInscription, &emission, |k| {
            let (adresse_verification, qr) = verification(&adresse, &k.code);
            valeur(&CertificatInscription {
                mairie: MairieDoc {
                    commune: commune_nom.clone(),
                    insee: insee.clone(),
                    departement: departement.clone(),
                },
                annee: i.annee.to_string(),
                eleve: eleve_json(&eleve),
                responsables: responsables.clone(),
                mode: i.mode.libelle(),
                niveau: i.niveau.code(),
                niveau_libelle: i.niveau.libelle(),
                ecole: ecole.as_ref().map(|e| EcoleDesignee {
                    nom: e.nom.clone(),
                    uai: e.uai.clone(),
                    adresse: e.adresse.clone(),
                }),
                fait_le: date_longue(k.emis_le),
                certification: Certification {
                    numero: k.numero.clone(),
                    code: k.code.clone(),
                    emetteur: k.emetteur.clone(),
                    adresse_verification,
                    qr,
                },
                fait_a: commune_nom.clone(),
                signataire: if i.par_ecole {
                    "La direction de l'école, pour la mairie"
                } else {
                    "Le maire ou son représentant"
                },
            })
        })?;
        Ok(Piece {
            nom_fichier: format!("certificat-inscription-{}-{}.pdf", slug(&eleve.nom), eleve.id),
            ident: format!("inscription/{id}"),
            data,
            le,
        })
    }

    pub(super) fn certificat_radiation(&self, id: &EleveId) -> Result<Piece> {
        let p = self.perimetre;
        let (r, fiche, tete, passage, commune) = self
            .store
            .read(|c| {
                let r = sc::derniere_radiation(c, p, id)?.ok_or(store::Error::Introuvable("radiation"))?;
                let fiche = eleves::fiche(c, p, id, r.annee)?;
                let tete = territoires::en_tete(c, &r.ecole_id)?;
                let passage = sc::passage(c, &eleves::voir(c, p, id)?, r.annee)?;
                let commune = tete.commune.clone();
                Ok((r, fiche, tete, passage, commune))
            })
            .map_err(|e| match e {
                store::Error::Introuvable("radiation") => {
                    Error::Conflit("l'élève n'a pas été radié : pas de certificat de radiation".into())
                }
                e => e.into(),
            })?;
        let initiales = crate::domain::identite::initiales(&fiche.eleve.prenoms, &fiche.eleve.nom);
        let publique = self.adresse_publique()?;
        let emission = Emission {
            genre: "radiation",
            sujet: &format!("radiation:{}", r.scolarite_id),
            eleve: id,
            prefixe: &format!("CR-{}", tete.uai),
            emetteur: &tete.nom,
            initiales: &initiales,
        };
        let decision = passage
            .recours_issue
            .or(passage.decision)
            .map(|(t, _)| t.libelle().to_string())
            .or_else(|| passage.proposition.map(|(t, _)| format!("{} (proposition)", t.libelle())));
        let (data, le) = self.delivrer(Document::CertificatRadiation, &emission, |k| {
            let (adresse, qr) = verification(&publique, &k.code);
            valeur(&CertificatRadiation {
                ecole: ecole_json(&tete),
                annee: r.annee.to_string(),
                eleve: eleve_json(&fiche.eleve),
                radiation: RadiationDoc {
                    date: date_fr(r.date),
                    classe: r.classe.clone(),
                    niveau: format!("{} ({})", r.niveau.code(), r.niveau.libelle()),
                    decision: decision.clone(),
                    motif: r.motif.as_deref().and_then(|m| MotifRadiation::parse(m).ok()).map(|m| m.libelle()),
                    destination: r.destination.clone(),
                    depuis: date_fr(r.admission),
                },
                exemplaires: ["Exemplaire remis à la famille".into(), format!("Copie pour la mairie de {commune}")],
                fait_le: date_longue(k.emis_le),
                certification: Certification {
                    numero: k.numero.clone(),
                    code: k.code.clone(),
                    emetteur: k.emetteur.clone(),
                    adresse_verification: adresse,
                    qr,
                },
                signataire: signataire(&tete),
                fait_a: tete.commune.clone(),
            })
        })?;
        Ok(Piece {
            nom_fichier: format!("certificat-radiation-{}-{id}.pdf", slug(&fiche.eleve.nom)),
            ident: format!("radiation/{}", r.scolarite_id),
            data,
            le,
        })
    }

    pub(super) fn notification(&self, fiche: &FicheEleve, tete: &EnTete, annee: AnneeScolaire) -> Result<Value> {
        let s = fiche.scolarite(annee).ok_or(store::Error::Introuvable("scolarité de l'année"))?;
        let passage = self.store.read(|c| sc::passage(c, &eleves::voir(c, self.perimetre, &fiche.eleve.id)?, annee))?;
        let (variante, t, le) = match (passage.recours_issue.or(passage.decision), passage.proposition) {
            (Some((t, le)), _) => ("decision", t, le),
            (None, Some((t, le))) => ("proposition", t, le),
            (None, None) => {
                return Err(Error::Conflit("aucune proposition de passage n'a été faite pour cet élève".into()));
            }
        };
        let suivant = t.niveau_suivant(s.niveau).map(|n| n.code().to_string()).unwrap_or_else(|| "6e (collège)".into());
        valeur(&NotificationPassage {
            ecole: ecole_json(tete),
            annee: annee.to_string(),
            eleve: eleve_json(&fiche.eleve),
            responsables: responsables_lignes(fiche),
            variante,
            passage: PassageDoc {
                niveau: s.niveau.code(),
                classe: s.classe.clone(),
                type_libelle: t.libelle(),
                niveau_suivant: suivant,
                propose_le: passage.proposition.map(|(_, d)| date_fr(d)),
                limite_reponse: passage.limite_reponse().map(date_fr),
                decide_le: date_fr(le),
                limite_recours: passage.limite_recours().map(date_fr),
            },
            signataire: signataire(tete),
            fait_a: tete.commune.clone(),
            fait_le: date_longue(le),
        })
    }
}

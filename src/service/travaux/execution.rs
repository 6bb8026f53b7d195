//! The queue's limits and the workers: a print run's files made and renamed into place once
//! complete and journaled, and the imports run one after the other, each in short transactions.

use super::*;

/// The print worker: makes the queued print runs one after the other, each as its author at
/// the instant it was asked for, on the jobs' own thread pool. Returns when the queue is empty.
pub fn executer(store: &crate::store::Store, cles: &crate::config::Cles, engine: &Engine, travaux: &Travaux) {
    while let Some(t) = travaux.suivant() {
        if t.annule.load(Ordering::Relaxed) {
            continue;
        }
        let Some(d) = t.impression() else { continue };
        t.poser(Etat::EnCours, None);
        if let Ok(mut x) = t.debut.lock() {
            *x = Some(Instant::now());
        }
        // A panic in a job fails that job only: the worker goes on with the queue.
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            travaux.pool.install(|| faire(store, cles, engine, &t, d))
        }))
        .unwrap_or_else(|_| Err(Error::Conflit("erreur interne pendant l'impression".into())));
        // A cancelled or failed job leaves nothing behind.
        let _ = std::fs::remove_file(t.partiel());
        match r {
            // Cancelled after the last document: nothing is kept.
            Ok(()) if t.annule.load(Ordering::Relaxed) => {
                let _ = std::fs::remove_file(&t.fichier);
                t.poser(Etat::Annule, None);
            }
            Ok(()) if t.fichier.is_file() => t.poser(Etat::Termine, None),
            Ok(()) => t.poser(Etat::Echec, Some("fichier introuvable après l'impression".into())),
            Err(Error::Rendu(crate::render::Error::Annule)) => t.poser(Etat::Annule, None),
            Err(e) => {
                tracing::error!(travail = %t.id, erreur = %e, "impression en lot en échec");
                t.poser(Etat::Echec, Some(e.to_string()));
            }
        }
        if let Ok(mut f) = t.fin.lock() {
            *f = Some(Instant::now());
        }
    }
}

pub(super) fn faire(
    store: &crate::store::Store,
    cles: &crate::config::Cles,
    engine: &Engine,
    t: &Travail,
    d: &Demande,
) -> Result<()> {
    let svc = Service { store, cles, acteur: &t.acteur, le: t.cree_le };
    let fichier = crate::config::fichier_prive(&t.partiel(), false).map_err(crate::render::Error::from)?;
    let mut sortie = std::io::BufWriter::new(fichier);
    let total = |n: usize| t.total.store(n, Ordering::Relaxed);
    let progression = |n: usize| {
        t.fait.store(n, Ordering::Relaxed);
        !t.annule.load(Ordering::Relaxed)
    };
    let tirage = Tirage {
        limite: None,
        total: &total,
        progression: &progression,
        colonnes: &d.colonnes,
        sans_reponse: d.sans_reponse,
    };
    // The file is complete and journaled before it is renamed into place.
    svc.imprimer_dans(engine, d.document, &d.cible, d.format, &mut sortie, tirage)?;
    use std::io::Write;
    sortie.flush().map_err(Error::Fichier)?;
    sortie.into_inner().map_err(|e| Error::Fichier(e.into_error()))?.sync_all().map_err(Error::Fichier)?;
    std::fs::rename(t.partiel(), &t.fichier).map_err(Error::Fichier)?;
    Ok(())
}

/// The import worker: runs the queued imports one after the other, each as its author at the
/// instant it was asked for (see `onde`). Returns when the queue is empty.
pub fn executer_imports(store: &crate::store::Store, cles: &crate::config::Cles, travaux: &Travaux) {
    while let Some(t) = travaux.import_suivant() {
        let Sorte::Import { lecture, rapport, .. } = &t.sorte else { continue };
        // The files read are freed once the import has run.
        let Some(l) = lecture.lock().ok().and_then(|mut g| g.take()) else { continue };
        if t.annule.load(Ordering::Relaxed) {
            continue;
        }
        t.poser(Etat::EnCours, None);
        if let Ok(mut x) = t.debut.lock() {
            *x = Some(Instant::now());
        }
        let svc = Service { store, cles, acteur: &t.acteur, le: t.cree_le };
        let progression = |fait: usize, total: usize| {
            t.fait.store(fait, Ordering::Relaxed);
            t.total.store(total, Ordering::Relaxed);
            !t.annule.load(Ordering::Relaxed)
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| svc.importer_lecture(&l, &progression)))
            .unwrap_or_else(|_| Err(Error::Conflit("erreur interne pendant l'import".into())));
        let essai = l.options().essai;
        drop(l);
        match r {
            Ok(x) => {
                let arrete = x.interrompu;
                if let Ok(mut g) = rapport.lock() {
                    *g = Some(x);
                }
                t.poser(if arrete { Etat::Annule } else { Etat::Termine }, None);
            }
            Err(e) => {
                tracing::error!(travail = %t.id, erreur = %e, "import en échec");
                let suite = if essai {
                    "rien n'est écrit : envoyez à nouveau les fichiers pour refaire l'essai"
                } else {
                    "les lignes déjà enregistrées, s'il y en a, le restent (voir le journal) : envoyez à nouveau les fichiers pour terminer l'import"
                };
                t.poser(Etat::Echec, Some(format!("{e} ; {suite}")));
            }
        }
        if let Ok(mut f) = t.fin.lock() {
            *f = Some(Instant::now());
        }
    }
}

/// The limits of [`MAX_PAR_COMPTE`], [`MAX_EN_FILE`] and [`MAX_GARDES`], for `a`'s next job
/// (an import or a print run).
pub(super) fn limites(r: &Registre, a: &Acteur, import: bool) -> Result<()> {
    let meme_sorte = |t: &Travail| matches!(t.sorte, Sorte::Import { .. }) == import;
    let en_file = r.travaux.iter().filter(|t| t.etat().0.en_file());
    let (tous, miens) = en_file.fold((0, 0), |(n, m), x| (n + 1, m + usize::from(x.proprietaire(a) && meme_sorte(x))));
    let (en_cours, file_pleine) = if import {
        (
            format!("vous avez déjà {MAX_PAR_COMPTE} imports en cours : attendez qu'un se termine, ou annulez-en un"),
            "trop d'imports en attente : réessayez dans quelques minutes",
        )
    } else {
        (
            format!(
                "vous avez déjà {MAX_PAR_COMPTE} impressions en cours : attendez qu'une se termine, ou annulez-en une"
            ),
            "trop d'impressions en attente : réessayez dans quelques minutes",
        )
    };
    if miens >= MAX_PAR_COMPTE {
        return Err(Error::Conflit(en_cours));
    }
    if tous >= MAX_EN_FILE {
        return Err(Error::Conflit(file_pleine.into()));
    }
    let gardes = r
        .travaux
        .iter()
        .filter(|x| x.proprietaire(a) && x.etat().0 == Etat::Termine && x.impression().is_some())
        .count();
    if !import && gardes >= MAX_GARDES {
        return Err(Error::Conflit(format!(
            "vous gardez déjà {MAX_GARDES} fichiers d'impression : supprimez ceux dont vous n'avez plus besoin"
        )));
    }
    Ok(())
}

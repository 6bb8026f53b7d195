//! Pupils: the list, the full record (categories I to V), and creation.
//!
//! Every query is scoped to the actor's perimeter in SQL: a pupil outside it is "introuvable",
//! exactly like a pupil that does not exist.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use time::Date;

use super::perimetre;
use super::{Error, Result};
use crate::domain::champs::{ChampAnnuel, ChampResponsable};
use crate::domain::identite::cle_recherche;
use crate::domain::{
    AnneeScolaire, ClasseId, CommuneInsee, ContactId, ContactIdentite, EcoleId, EleveId, EleveIdentite, EtatScolarite,
    Ine, Lien, Niveau, Perimetre, ResponsableId, ResponsableIdentite, ResponsableSaisie,
};

pub use crate::domain::fiche::{Annuel, Contact, Eleve, EleveLigne, FicheEleve, ResponsableFiche, Scolarite};

/// What to list.
#[derive(Debug, Clone)]
pub struct Filtre {
    /// Année scolaire.
    pub annee: AnneeScolaire,
    /// Only this school.
    pub ecole: Option<EcoleId>,
    /// Only this class.
    pub classe: Option<ClasseId>,
    /// Words to find in noms and prénoms (case, accents and hyphens ignored).
    pub q: Option<String>,
    /// Only pupils attending (not radiated, not gone).
    pub presents: bool,
    /// At most this many lines.
    pub limite: u32,
    /// Skip this many lines.
    pub decalage: u32,
}

impl Filtre {
    /// Every pupil of the year.
    pub fn annee(annee: AnneeScolaire) -> Self {
        Self { annee, ecole: None, classe: None, q: None, presents: false, limite: u32::MAX, decalage: 0 }
    }
}

fn ligne(r: &rusqlite::Row<'_>) -> rusqlite::Result<EleveLigne> {
    Ok(EleveLigne {
        id: r.get(0)?,
        nom: r.get(1)?,
        nom_usage: r.get(2)?,
        prenoms: r.get(3)?,
        sexe: r.get(4)?,
        date_naissance: r.get(5)?,
        ecole_id: r.get(6)?,
        uai: r.get(7)?,
        niveau: r.get(8)?,
        classe_id: r.get(9)?,
        classe: r.get(10)?,
        etat: r.get(11)?,
    })
}

/// Lists pupils of the perimeter with a schooling record in the year, by nom and prénoms.
pub fn lister(c: &Connection, p: &Perimetre, f: &Filtre) -> Result<Vec<EleveLigne>> {
    Ok(lister_compte(c, p, f)?.0)
}

/// The page of pupils `f` asks for, and how many match in all (the page's limit aside).
pub fn lister_page(c: &Connection, p: &Perimetre, f: &Filtre) -> Result<(Vec<EleveLigne>, u64)> {
    let (lignes, total) = lister_compte(c, p, f)?;
    match total {
        Some(t) => Ok((lignes, t)),
        // A page past the end: the total is counted from the first row.
        None if f.decalage > 0 => {
            let premiere = Filtre { limite: 1, decalage: 0, ..f.clone() };
            Ok((lignes, lister_compte(c, p, &premiere)?.1.unwrap_or(0)))
        }
        None => Ok((lignes, 0)),
    }
}

/// The perimeters too wide to read school by school (a département, an académie): a search
/// there starts from the words' index instead.
fn large(p: &Perimetre) -> bool {
    matches!(p, Perimetre::Departement(_) | Perimetre::Academie(_) | Perimetre::Installation)
}

/// In two steps. First the page's schooling records, in French order, and how many match,
/// read from indexes only: within a few schools (a director, a mairie, an IEN), each school's
/// records of the year with the pupil's folded names and sort key (`scolarite_recherche`);
/// in a wide perimeter, the pupils whose names start with the words (`eleve_recherche`, FTS5).
/// Then the page's rows, and nothing else.
fn lister_compte(c: &Connection, p: &Perimetre, f: &Filtre) -> Result<(Vec<EleveLigne>, Option<u64>)> {
    // Both steps see the base at one instant (a savepoint is a read transaction of its own, or
    // nests in the caller's): a record deleted, or a rowid reused, in between cannot slip in.
    c.execute_batch("SAVEPOINT lister")?;
    let r = lister_deux_temps(c, p, f);
    c.execute_batch("RELEASE lister")?;
    r
}

fn lister_deux_temps(c: &Connection, p: &Perimetre, f: &Filtre) -> Result<(Vec<EleveLigne>, Option<u64>)> {
    let cond = perimetre::scolarites(p);
    let mots = f.q.as_deref().map(mots_recherche).unwrap_or_default();
    let mut params: Vec<Value> = Vec::new();
    let mut sql = String::from("SELECT s.rowid, COUNT(*) OVER () FROM ");
    if large(p) && !mots.is_empty() {
        // `CROSS JOIN` keeps this order: the words' matches first.
        sql.push_str(
            "eleve_recherche r CROSS JOIN eleve el ON el.rowid = r.rowid CROSS JOIN scolarite s ON s.eleve_id = el.id
             JOIN ecole e ON e.id = s.ecole_id WHERE r.eleve_recherche MATCH ? AND ",
        );
        params.push(mots.iter().map(|m| format!("\"{m}\"*")).collect::<Vec<_>>().join(" ").into());
    } else {
        sql.push_str("scolarite s JOIN ecole e ON e.id = s.ecole_id ");
        if perimetre::par_eleve(p) {
            sql.push_str("JOIN eleve el ON el.id = s.eleve_id ");
        }
        sql.push_str("WHERE ");
        // Each word begins a word of the folded names (words are separated by one space).
        for m in &mots {
            sql.push_str("instr(' ' || s.cle_recherche, ?) > 0 AND ");
            params.push(format!(" {m}").into());
        }
    }
    sql.push_str("s.annee = ?");
    params.push(i64::from(f.annee.debut()).into());
    if let Some(ecole) = &f.ecole {
        sql.push_str(" AND s.ecole_id = ?");
        params.push(ecole.to_string().into());
    }
    if let Some(classe) = &f.classe {
        sql.push_str(" AND s.classe_id = ?");
        params.push(classe.to_string().into());
    }
    if f.presents {
        sql.push_str(" AND s.etat IN ('admis_provisoire', 'admis_definitif')");
    }
    sql.push_str(&format!(" AND {} ORDER BY s.cle_tri, s.eleve_id LIMIT ? OFFSET ?", cond.sql));
    params.extend(cond.params);
    params.push(i64::from(f.limite).into());
    params.push(i64::from(f.decalage).into());
    let mut total = None;
    let page: Vec<i64> = c
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
        .map(|r| {
            r.map(|(id, n)| {
                total.get_or_insert(u64::try_from(n).unwrap_or(0));
                id
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    if page.is_empty() {
        return Ok((Vec::new(), total));
    }
    // The page's rows (by chunks, a school's whole list being one page), put back in the
    // order found.
    let mut lignes = std::collections::HashMap::with_capacity(page.len());
    for morceau in page.chunks(200) {
        let marques = vec!["?"; morceau.len()].join(", ");
        let sql = format!(
            "SELECT el.id, el.nom, el.nom_usage, el.prenoms, el.sexe, el.date_naissance, e.id, e.uai, s.niveau,
                    cl.id, cl.libelle, s.etat, s.rowid
             FROM scolarite s JOIN eleve el ON el.id = s.eleve_id JOIN ecole e ON e.id = s.ecole_id
             LEFT JOIN classe cl ON cl.id = s.classe_id
             WHERE s.rowid IN ({marques})"
        );
        let mut st = c.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(morceau.iter()), |r| Ok((r.get::<_, i64>(12)?, ligne(r)?)))?;
        for r in rows {
            let (id, l) = r?;
            lignes.insert(id, l);
        }
    }
    Ok((page.iter().filter_map(|id| lignes.remove(id)).collect(), total))
}

/// The words of a search, folded: case, accents, hyphens and apostrophes ignored, at most 8.
/// Each must begin a word of the pupil's noms or prénoms, in any order (`mar dup`: a word
/// starting with « mar » and one starting with « dup »).
pub fn mots_recherche(q: &str) -> Vec<String> {
    // The key holds only letters, digits and spaces: nothing typed can be an FTS5 operator
    // (each word is quoted besides) or a pattern.
    let mut mots = super::doublons::mots(q);
    mots.truncate(8);
    mots
}

fn opt_bool(v: Option<i64>) -> Option<bool> {
    v.map(|b| b == 1)
}

/// The nom and prénoms of a pupil of the perimeter (a download's name), without the rest of
/// the record.
pub fn nom_prenoms(c: &Connection, p: &Perimetre, id: &EleveId) -> Result<(String, String)> {
    let cond = perimetre::eleves(p);
    let sql = format!("SELECT el.nom, el.prenoms FROM eleve el WHERE el.id = ? AND {}", cond.sql);
    let mut params: Vec<Value> = vec![id.to_string().into()];
    params.extend(cond.params);
    c.prepare_cached(&sql)?
        .query_row(params_from_iter(params), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(Error::Introuvable("élève"))
}

/// Whether the pupil lies in the perimeter: the proof the store's reads by id ask for.
pub fn voir(c: &Connection, p: &Perimetre, id: &EleveId) -> Result<super::Vu> {
    let cond = perimetre::eleves(p);
    let sql = format!("SELECT 1 FROM eleve el WHERE el.id = ? AND {}", cond.sql);
    let mut params: Vec<Value> = vec![id.to_string().into()];
    params.extend(cond.params);
    c.prepare_cached(&sql)?
        .query_row(params_from_iter(params), |_| Ok(()))
        .optional()?
        .map(|()| super::Vu::new(id.clone()))
        .ok_or(Error::Introuvable("élève"))
}

/// The full record of a pupil of the perimeter; `annee` selects the autorisations shown.
pub fn fiche(c: &Connection, p: &Perimetre, id: &EleveId, annee: AnneeScolaire) -> Result<FicheEleve> {
    let cond = perimetre::eleves(p);
    let sql = format!(
        "SELECT el.id, el.ine, el.nom, el.nom_usage, el.prenoms, el.sexe, el.date_naissance, el.naissance_insee,
                el.naissance_lieu, el.adresse, el.code_postal, el.commune_residence
         FROM eleve el WHERE el.id = ? AND {}",
        cond.sql
    );
    let mut params: Vec<Value> = vec![id.to_string().into()];
    params.extend(cond.params);
    let eleve = c
        .prepare_cached(&sql)?
        .query_row(params_from_iter(params), |r| {
            Ok(Eleve {
                id: r.get(0)?,
                ine: r.get(1)?,
                nom: r.get(2)?,
                nom_usage: r.get(3)?,
                prenoms: r.get(4)?,
                sexe: r.get(5)?,
                date_naissance: r.get(6)?,
                naissance_insee: r.get(7)?,
                naissance_lieu: r.get(8)?,
                adresse: r.get(9)?,
                code_postal: r.get(10)?,
                commune_residence: r.get(11)?,
            })
        })
        .optional()?
        .ok_or(Error::Introuvable("élève"))?;

    let scolarites = c
        .prepare_cached(
            "SELECT s.annee, s.ecole_id, e.uai, e.nom, s.niveau, s.cycle, s.classe_id, cl.libelle, s.ulis, s.etat,
                    s.date_admission, s.date_sortie
             FROM scolarite s JOIN ecole e ON e.id = s.ecole_id LEFT JOIN classe cl ON cl.id = s.classe_id
             WHERE s.eleve_id = ? ORDER BY s.annee DESC, s.date_admission DESC",
        )?
        .query_map([id], |r| {
            Ok(Scolarite {
                annee: r.get(0)?,
                ecole_id: r.get(1)?,
                uai: r.get(2)?,
                ecole: r.get(3)?,
                niveau: r.get(4)?,
                cycle: r.get(5)?,
                classe_id: r.get(6)?,
                classe: r.get(7)?,
                ulis: r.get::<_, i64>(8)? == 1,
                etat: r.get(9)?,
                date_admission: r.get(10)?,
                date_sortie: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let responsables = responsables(c, id)?;

    let contacts = c
        .prepare_cached(
            "SELECT id, rang, nom, prenom, lien, telephone, telephone_2, urgence, recuperer
             FROM contact WHERE eleve_id = ? ORDER BY rang",
        )?
        .query_map([id], |r| {
            Ok(Contact {
                id: r.get(0)?,
                rang: r.get(1)?,
                nom: r.get(2)?,
                prenom: r.get(3)?,
                lien: r.get(4)?,
                telephone: r.get(5)?,
                telephone_2: r.get(6)?,
                urgence: r.get::<_, i64>(7)? == 1,
                recuperer: r.get::<_, i64>(8)? == 1,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let annuel = annuel(c, id, annee)?;

    Ok(FicheEleve { eleve, scolarites, responsables, contacts, annuel })
}

/// The columns of the `responsable` table, one per field of the catalogue.
fn colonnes_responsable(prefixe: &str) -> String {
    ChampResponsable::TOUS.iter().map(|c| format!("{prefixe}{}", c.cle())).collect::<Vec<_>>().join(", ")
}

/// The values to store of a responsable, in the catalogue's order.
fn valeurs_responsable(r: &ResponsableIdentite) -> Vec<Option<String>> {
    ChampResponsable::TOUS.iter().map(|c| c.texte(r)).collect()
}

/// A pupil's responsables in order; a stored person that no longer passes its rules is
/// `Corrompue`.
fn responsables(c: &Connection, id: &EleveId) -> Result<Vec<ResponsableFiche>> {
    let sql = format!(
        "SELECT r.id, er.rang, er.autorite_parentale, er.accord_associations, er.lien, {}
         FROM eleve_responsable er JOIN responsable r ON r.id = er.responsable_id
         WHERE er.eleve_id = ? ORDER BY er.rang",
        colonnes_responsable("r.")
    );
    let lignes = c
        .prepare_cached(&sql)?
        .query_map([id], |r| {
            let mut saisie = ResponsableSaisie { lien: r.get(4)?, ..Default::default() };
            for (i, champ) in ChampResponsable::TOUS.iter().enumerate() {
                champ.poser(&mut saisie, r.get(5 + i)?);
            }
            Ok((
                r.get::<_, ResponsableId>(0)?,
                r.get::<_, u8>(1)?,
                r.get::<_, i64>(2)? == 1,
                opt_bool(r.get(3)?),
                saisie,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    lignes
        .into_iter()
        .map(|(id, rang, autorite_parentale, accord_associations, saisie)| {
            let personne = saisie.valider().map_err(|e| Error::Corrompue(format!("responsable {id} : {e}")))?;
            Ok(ResponsableFiche { id, rang, autorite_parentale, accord_associations, personne })
        })
        .collect()
}

/// The search key stored with a pupil: noms and prénoms folded.
pub fn cle_eleve(e: &EleveIdentite) -> String {
    let usage = e.nom_usage.as_ref().map(|n| n.as_str()).unwrap_or("");
    cle_recherche(&format!("{} {usage} {}", e.nom, e.prenoms))
}

/// The French sort key stored with a pupil (`tri::cle_noms` of nom and prénoms).
pub fn cle_tri(e: &EleveIdentite) -> Vec<u8> {
    crate::domain::tri::cle_noms(e.nom.as_str(), e.prenoms.as_str())
}

/// Creates a pupil (category I); refuses an INE already held by another pupil.
pub fn insert_eleve(c: &Connection, id: &EleveId, e: &EleveIdentite) -> Result<()> {
    if let Some(ine) = &e.ine {
        let taken: bool =
            c.prepare_cached("SELECT EXISTS (SELECT 1 FROM eleve WHERE ine = ?)")?.query_row([ine], |r| r.get(0))?;
        if taken {
            return Err(Error::Conflit("cet INE est déjà attribué à un autre élève".into()));
        }
    }
    c.prepare_cached(
        "INSERT INTO eleve (id, ine, nom, nom_usage, prenoms, sexe, date_naissance, naissance_insee, naissance_lieu,
                            adresse, code_postal, commune_residence, cle_recherche, cle_tri)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        e.ine,
        e.nom.as_str(),
        e.nom_usage.as_ref().map(|n| n.as_str()),
        e.prenoms.as_str(),
        e.sexe,
        e.date_naissance,
        e.naissance_insee,
        e.naissance_lieu,
        e.adresse,
        e.code_postal,
        e.commune_residence,
        cle_eleve(e),
        cle_tri(e)
    ])?;
    Ok(())
}

/// Creates a responsable légal (category II).
pub fn insert_responsable(c: &Connection, id: &ResponsableId, r: &ResponsableIdentite) -> Result<()> {
    let marques = vec!["?"; ChampResponsable::TOUS.len()].join(", ");
    let sql = format!("INSERT INTO responsable (id, {}) VALUES (?, {marques})", colonnes_responsable(""));
    let mut valeurs: Vec<Value> = vec![id.to_string().into()];
    valeurs.extend(valeurs_responsable(r).into_iter().map(Value::from));
    c.prepare_cached(&sql)?.execute(params_from_iter(valeurs))?;
    Ok(())
}

/// Links a responsable to a pupil.
pub fn lier_responsable(
    c: &Connection,
    eleve: &EleveId,
    responsable: &ResponsableId,
    rang: u8,
    lien: Lien,
    autorite_parentale: bool,
    accord_associations: Option<bool>,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO eleve_responsable (eleve_id, responsable_id, rang, lien, autorite_parentale, accord_associations)
         VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![eleve, responsable, rang, lien, autorite_parentale, accord_associations])?;
    Ok(())
}

/// Adds an emergency contact or person allowed to collect the child (category III).
pub fn insert_contact(c: &Connection, id: &ContactId, eleve: &EleveId, rang: u8, k: &ContactIdentite) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO contact (id, eleve_id, rang, nom, prenom, lien, telephone, telephone_2, urgence, recuperer)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        eleve,
        rang,
        k.nom.as_str(),
        k.prenom.as_str(),
        k.lien,
        k.telephone,
        k.telephone_2,
        k.urgence,
        k.recuperer
    ])?;
    Ok(())
}

/// A new schooling record.
#[derive(Debug, Clone)]
pub struct NouvelleScolarite {
    /// Année scolaire.
    pub annee: AnneeScolaire,
    /// School.
    pub ecole: EcoleId,
    /// Niveau.
    pub niveau: Niveau,
    /// Class, if placed.
    pub classe: Option<ClasseId>,
    /// ULIS dispositif.
    pub ulis: bool,
    /// Provisional or definitive admission.
    pub etat: EtatScolarite,
    /// Date of admission.
    pub date_admission: Date,
}

/// Creates a schooling record; checks that the school admits the niveau and that the class
/// belongs to the school, the year and the niveau.
pub fn insert_scolarite(c: &Connection, id: &str, eleve: &EleveId, s: &NouvelleScolarite) -> Result<()> {
    let type_ecole: Option<String> =
        c.prepare_cached("SELECT type FROM ecole WHERE id = ?")?.query_row([&s.ecole], |r| r.get(0)).optional()?;
    let Some(type_ecole) = type_ecole else {
        return Err(Error::Introuvable("école"));
    };
    let type_ecole = crate::domain::TypeEcole::parse(&type_ecole).map_err(|e| Error::Corrompue(e.to_string()))?;
    if !type_ecole.admet(s.niveau) {
        return Err(Error::Conflit(format!("une {} n'accueille pas le niveau {}", type_ecole.libelle(), s.niveau)));
    }
    if let Some(classe) = &s.classe {
        let ok: bool = c
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM classe cl JOIN classe_niveau cn ON cn.classe_id = cl.id
                 WHERE cl.id = ? AND cl.ecole_id = ? AND cl.annee = ? AND cn.niveau = ?)",
            )?
            .query_row(params![classe, s.ecole, s.annee, s.niveau], |r| r.get(0))?;
        if !ok {
            return Err(Error::Conflit(format!(
                "la classe choisie n'est pas une classe de {} de cette école pour {}",
                s.niveau, s.annee
            )));
        }
    }
    c.prepare_cached(
        "INSERT INTO scolarite (id, eleve_id, annee, ecole_id, niveau, cycle, classe_id, ulis, etat, date_admission)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        eleve,
        s.annee,
        s.ecole,
        s.niveau,
        s.niveau.cycle(s.annee),
        s.classe,
        s.ulis,
        s.etat,
        s.date_admission
    ])?;
    // Schooled again in primary: the retention clock of an earlier departure stops.
    c.prepare_cached("UPDATE eleve SET sortie_premier_degre = NULL WHERE id = ?")?.execute([eleve])?;
    Ok(())
}

/// Sets this year's autorisations, insurance and périscolaire: one column per field of the
/// catalogue, of its name.
pub fn upsert_annuel(c: &Connection, eleve: &EleveId, annee: AnneeScolaire, a: &Annuel) -> Result<()> {
    let colonnes: Vec<&str> = ChampAnnuel::TOUS.iter().map(|x| x.cle()).collect();
    let sql = format!(
        "INSERT INTO eleve_annuel (eleve_id, annee, {}) VALUES (?, ?{})
         ON CONFLICT (eleve_id, annee) DO UPDATE SET {}",
        colonnes.join(", "),
        ", ?".repeat(colonnes.len()),
        colonnes.iter().map(|k| format!("{k} = excluded.{k}")).collect::<Vec<_>>().join(", ")
    );
    let valeurs = ChampAnnuel::TOUS.iter().map(|x| match x.valeur(a) {
        serde_json::Value::Bool(b) => Value::Integer(i64::from(b)),
        serde_json::Value::String(t) => Value::Text(t),
        serde_json::Value::Number(n) => n.as_i64().map_or(Value::Null, Value::Integer),
        _ => Value::Null,
    });
    let tete = [Value::Text(eleve.to_string()), Value::Integer(i64::from(annee.debut()))];
    c.prepare_cached(&sql)?.execute(params_from_iter(tete.into_iter().chain(valeurs)))?;
    Ok(())
}

/// This year's record of a pupil, read by the catalogue's fields: a yes/no answer is stored as
/// 0 or 1, a text as itself. A stored value that no longer reads is `Corrompue`.
fn annuel(c: &Connection, id: &EleveId, annee: AnneeScolaire) -> Result<Option<Annuel>> {
    let sql = format!(
        "SELECT {} FROM eleve_annuel WHERE eleve_id = ? AND annee = ?",
        ChampAnnuel::TOUS.iter().map(|x| x.cle()).collect::<Vec<_>>().join(", ")
    );
    let ligne = c
        .prepare_cached(&sql)?
        .query_row(params![id, annee], |r| {
            let mut m = serde_json::Map::new();
            for (i, x) in ChampAnnuel::TOUS.iter().enumerate() {
                let v = match (r.get::<_, Value>(i)?, x.formulaire().genre) {
                    (Value::Integer(n), "oui_non" | "case") => serde_json::Value::Bool(n != 0),
                    (Value::Text(t), _) => serde_json::Value::String(t),
                    (Value::Integer(n), _) => serde_json::Value::from(n),
                    _ => serde_json::Value::Null,
                };
                m.insert(x.cle().to_string(), v);
            }
            Ok(m)
        })
        .optional()?;
    ligne
        .map(|m| {
            serde_json::from_value(serde_json::Value::Object(m))
                .map_err(|e| Error::Corrompue(format!("autorisations de l'année de l'élève {id} : {e}")))
        })
        .transpose()
}

/// How many pupils the database holds.
pub fn compter(c: &Connection) -> Result<u64> {
    let n: i64 = c.query_row("SELECT count(*) FROM eleve", [], |r| r.get(0))?;
    Ok(n.unsigned_abs())
}

/// Stored values that no longer satisfy their rule.
pub(super) fn check_values(c: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    // A responsable is read only if every field still passes its rule: name the ones that do
    // not, or their pupils' records would fail to open without a word of why.
    let sql = format!(
        "SELECT r.id, (SELECT er.lien FROM eleve_responsable er WHERE er.responsable_id = r.id LIMIT 1), {}
         FROM responsable r",
        colonnes_responsable("r.")
    );
    let mut stmt = c.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let mut saisie = ResponsableSaisie {
            lien: r.get::<_, Option<String>>(1)?.unwrap_or_else(|| "tiers".into()),
            ..Default::default()
        };
        for (i, champ) in ChampResponsable::TOUS.iter().enumerate() {
            champ.poser(&mut saisie, r.get(2 + i)?);
        }
        if let Err(e) = saisie.valider() {
            problems.push(format!("responsable {id} : {e}"));
        }
    }
    let mut stmt = c.prepare("SELECT id, ine, naissance_insee, date_naissance FROM eleve")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if let Some(ine) = r.get::<_, Option<String>>(1)?
            && Ine::parse(&ine).is_err()
        {
            problems.push(format!("élève {id} : INE invalide"));
        }
        if CommuneInsee::stocke(&r.get::<_, String>(2)?).is_none() {
            problems.push(format!("élève {id} : lieu de naissance invalide"));
        }
        if crate::domain::identite::parse_date("date", &r.get::<_, String>(3)?).is_err() {
            problems.push(format!("élève {id} : date de naissance invalide"));
        }
    }
    Ok(problems)
}

/// Issues the next INE of the département for a first admission in `annee_civile`
/// (docs/domaine.md §6); the sequence is persistent, so a number is never issued twice.
pub fn attribuer_ine(c: &Connection, annee_civile: i32, departement: &str) -> Result<Ine> {
    let dernier: i64 = c
        .prepare_cached(
            "INSERT INTO sequence_ine (departement, annee, dernier) VALUES (?1, ?2, 1)
             ON CONFLICT (departement, annee) DO UPDATE SET dernier = dernier + 1
             RETURNING dernier",
        )?
        .query_row(params![departement, annee_civile], |r| r.get(0))?;
    let seq = u32::try_from(dernier).map_err(|_| Error::Conflit("séquence d'INE invalide".into()))?;
    Ok(Ine::assign(annee_civile, departement, seq).map_err(crate::domain::Error::from)?)
}

/// A new pupil admitted directly in a school: identity, family, contacts and first record.
#[derive(Debug, Clone)]
pub struct NouvelEleve {
    /// Category I.
    pub identite: EleveIdentite,
    /// Category II, in order, with the link and whether parental authority is held.
    pub responsables: Vec<ResponsableIdentite>,
    /// Category III, in order.
    pub contacts: Vec<ContactIdentite>,
    /// The first schooling record.
    pub scolarite: NouvelleScolarite,
}

/// Creates a pupil admitted in a school of the perimeter; issues an INE when none is given.
/// Returns the new id and the warnings (niveau far from the age).
pub fn creer(
    c: &Connection,
    p: &Perimetre,
    n: &NouvelEleve,
    rng: &mut impl rand::Rng,
) -> Result<(EleveId, Vec<String>)> {
    let ecole = super::territoires::ecole(c, p, &n.scolarite.ecole)?;
    let mut avertissements = Vec::new();
    let ecart = crate::domain::Ecart::evaluer(n.scolarite.niveau, n.identite.date_naissance.year(), n.scolarite.annee);
    if let Some(a) = ecart.avertissement(n.scolarite.niveau) {
        avertissements.push(a);
    }
    let mut identite = n.identite.clone();
    if identite.ine.is_none() {
        identite.ine = Some(attribuer_ine(c, n.scolarite.date_admission.year(), ecole.uai.departement())?);
    }
    let id = EleveId::random(rng);
    insert_eleve(c, &id, &identite)?;
    for (i, r) in n.responsables.iter().enumerate() {
        let rid = ResponsableId::random(rng);
        insert_responsable(c, &rid, r)?;
        lier_responsable(c, &id, &rid, i as u8 + 1, r.lien, true, None)?;
    }
    for (i, k) in n.contacts.iter().enumerate() {
        insert_contact(c, &ContactId::random(rng), &id, i as u8 + 1, k)?;
    }
    insert_scolarite(c, &crate::domain::ids::random_id(rng), &id, &n.scolarite)?;
    Ok((id, avertissements))
}

/// One responsable of a pupil attending a school (demo accounts).
pub fn un_responsable_de_ecole(c: &Connection, ecole: &EcoleId) -> Result<Option<ResponsableId>> {
    Ok(c.prepare_cached(
        "SELECT er.responsable_id FROM eleve_responsable er JOIN scolarite s ON s.eleve_id = er.eleve_id
         WHERE s.ecole_id = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') ORDER BY er.responsable_id LIMIT 1",
    )?
    .query_row([ecole], |r| r.get(0))
    .optional()?)
}

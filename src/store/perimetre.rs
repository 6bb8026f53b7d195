//! Perimeters as SQL: every query that lists or fetches a school, a class or a pupil adds the
//! condition built here, so a record outside the actor's territory is simply not found.

use rusqlite::types::Value;

use crate::domain::Perimetre;

/// A SQL condition and its parameters.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The SQL text, with `?` placeholders.
    pub sql: String,
    /// The values of the placeholders, in order.
    pub params: Vec<Value>,
}

fn cond(sql: String, params: Vec<Value>) -> Condition {
    Condition { sql, params }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// The condition on a school row aliased `e` for it to lie in the perimeter.
pub fn ecoles(p: &Perimetre) -> Condition {
    match p {
        Perimetre::Installation => cond("1".into(), vec![]),
        Perimetre::Academie(a) => cond(
            "e.circonscription_id IN (SELECT ci.id FROM circonscription ci JOIN departement d ON d.id = ci.departement_id WHERE d.academie_id = ?)".into(),
            vec![text(a.as_str())],
        ),
        Perimetre::Departement(d) => cond(
            "e.circonscription_id IN (SELECT ci.id FROM circonscription ci WHERE ci.departement_id = ?)".into(),
            vec![text(d.as_str())],
        ),
        Perimetre::Circonscription(c) => cond("e.circonscription_id = ?".into(), vec![text(c.as_str())]),
        Perimetre::Commune(c) => cond(
            "(e.commune_id = ? OR e.id IN (SELECT r.ecole_id FROM ecole_commune_rpi r WHERE r.commune_id = ?))".into(),
            vec![text(c.as_str()), text(c.as_str())],
        ),
        Perimetre::Ecole(id) => cond("e.id = ?".into(), vec![text(id.as_str())]),
        Perimetre::Responsable(r) => cond(
            "e.id IN (SELECT s.ecole_id FROM scolarite s JOIN eleve_responsable er ON er.eleve_id = s.eleve_id WHERE er.responsable_id = ?)".into(),
            vec![text(r.as_str())],
        ),
        Perimetre::College(k) => cond(
            "e.id IN (SELECT s.ecole_id FROM scolarite s JOIN affectation_college ac ON ac.eleve_id = s.eleve_id WHERE ac.college_id = ?)".into(),
            vec![text(k.as_str())],
        ),
    }
}

/// The condition on a pupil row aliased `el` for it to lie in the perimeter: a responsable's
/// own children, a collège's assigned pupils, pupils with a schooling record in a school of the
/// perimeter, or children whose record an inscription of the perimeter brought.
///
/// An inscription of a pupil already known elsewhere (chosen from the duplicate search) grants
/// nothing here: it shows its mairie and its designated school the identity the
/// duplicate search showed, through the inscription itself, until the pupil is admitted, and
/// the admission waits for the radiation at the former school.
pub fn eleves(p: &Perimetre) -> Condition {
    match p {
        Perimetre::Installation => cond("1".into(), vec![]),
        Perimetre::Responsable(r) => cond(
            "el.id IN (SELECT er.eleve_id FROM eleve_responsable er WHERE er.responsable_id = ?)".into(),
            vec![text(r.as_str())],
        ),
        Perimetre::College(k) => cond(
            "el.id IN (SELECT ac.eleve_id FROM affectation_college ac WHERE ac.college_id = ?)".into(),
            vec![text(k.as_str())],
        ),
        other => {
            let e = ecoles(other);
            let i = inscriptions(other);
            let mut params = e.params;
            params.extend(i.params);
            cond(
                format!(
                    "(EXISTS (SELECT 1 FROM scolarite sp JOIN ecole e ON e.id = sp.ecole_id WHERE sp.eleve_id = el.id AND {})
                      OR EXISTS (SELECT 1 FROM inscription i LEFT JOIN ecole e ON e.id = i.ecole_id
                                 WHERE i.eleve_id = el.id AND i.cree_eleve = 1 AND {}))",
                    e.sql, i.sql
                ),
                params,
            )
        }
    }
}

/// The condition on an inscription row aliased `i` (its designated school joined as `e`, which
/// may be null) for it to lie in the perimeter: the commune that recorded it, the designated
/// school and its territories.
pub fn inscriptions(p: &Perimetre) -> Condition {
    match p {
        Perimetre::Installation => cond("1".into(), vec![]),
        Perimetre::Commune(c) => cond("i.commune_id = ?".into(), vec![text(c.as_str())]),
        Perimetre::Ecole(e) => cond("(i.ecole_id = ? AND i.etat IN ('en_attente', 'inscrit', 'admis'))".into(), vec![text(e.as_str())]),
        Perimetre::Circonscription(c) => cond("e.circonscription_id = ?".into(), vec![text(c.as_str())]),
        Perimetre::Departement(d) => cond(
            "i.commune_id IN (SELECT co.id FROM commune co WHERE co.departement_id = ?)".into(),
            vec![text(d.as_str())],
        ),
        Perimetre::Academie(a) => cond(
            "i.commune_id IN (SELECT co.id FROM commune co JOIN departement d ON d.id = co.departement_id WHERE d.academie_id = ?)".into(),
            vec![text(a.as_str())],
        ),
        Perimetre::Responsable(r) => cond(
            "i.eleve_id IN (SELECT er.eleve_id FROM eleve_responsable er WHERE er.responsable_id = ?)".into(),
            vec![text(r.as_str())],
        ),
        Perimetre::College(_) => cond("0".into(), vec![]),
    }
}

/// The condition on a schooling row of school `e` and pupil `el` for it to lie in the
/// perimeter: a school of the perimeter and, for a responsable or a collège, one of its own
/// pupils (a parent sees the school of a child, never the child's classmates).
pub fn scolarites(p: &Perimetre) -> Condition {
    let mut c = ecoles(p);
    if par_eleve(p) {
        let own = eleves(p);
        c.sql = format!("{} AND {}", c.sql, own.sql);
        c.params.extend(own.params);
    }
    c
}

/// Whether the perimeter is a set of pupils rather than of schools (responsable, collège):
/// then a school being visible does not make all its pupils visible.
pub fn par_eleve(p: &Perimetre) -> bool {
    matches!(p, Perimetre::Responsable(_) | Perimetre::College(_))
}

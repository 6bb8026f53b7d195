//! What a role sees of a pupil: the record's fields the policy shows, read one by one from the
//! typed record through the field catalogue. A field is shown only through its catalogue entry,
//! so a field added to the record is invisible until the catalogue gives it a group.

use serde_json::{Map, Value};

use crate::domain::champs::{ChampAnnuel, ChampContact, ChampEleve, ChampLien, ChampResponsable, ChampScolarite};
use crate::policy::Champs;
use crate::store::eleves::{EleveLigne, FicheEleve};

/// The visible fields of `tous`, each under its key.
fn objet<C: Copy>(
    tous: &[C],
    champs: Champs,
    groupe: impl Fn(C) -> crate::domain::champs::Groupe,
    cle: impl Fn(C) -> &'static str,
    valeur: impl Fn(C) -> Option<Value>,
) -> Map<String, Value> {
    tous.iter()
        .copied()
        .filter(|c| champs.voit(groupe(*c)))
        .filter_map(|c| valeur(c).map(|v| (cle(c).to_string(), v)))
        .collect()
}

fn id(v: &impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The record as `champs` allows it to be seen.
pub fn fiche(f: &FicheEleve, champs: Champs) -> Value {
    let mut out = Map::new();
    let mut eleve = Map::from_iter([("id".to_string(), id(&f.eleve.id))]);
    eleve.extend(objet(ChampEleve::TOUS, champs, ChampEleve::groupe, ChampEleve::cle, |c| Some(c.valeur(&f.eleve))));
    out.insert("eleve".into(), Value::Object(eleve));
    if champs.contient(Champs::ECOLE) || champs.contient(Champs::SCOLARITE) {
        let l = f.scolarites.iter().map(|s| {
            Value::Object(objet(ChampScolarite::TOUS, champs, ChampScolarite::groupe, ChampScolarite::cle, |c| {
                Some(c.valeur(s))
            }))
        });
        out.insert("scolarites".into(), Value::Array(l.collect()));
    }
    if champs.contient(Champs::RESPONSABLES) {
        let l = f.responsables.iter().map(|r| {
            let mut o = Map::from_iter([("id".to_string(), id(&r.id)), ("rang".to_string(), id(&r.rang))]);
            o.extend(objet(ChampLien::TOUS, champs, ChampLien::groupe, ChampLien::cle, |c| Some(c.valeur(r))));
            o.extend(objet(ChampResponsable::TOUS, champs, ChampResponsable::groupe, ChampResponsable::cle, |c| {
                Some(c.valeur(&r.personne))
            }));
            Value::Object(o)
        });
        out.insert("responsables".into(), Value::Array(l.collect()));
    }
    if champs.contient(Champs::CONTACTS) {
        let l = f.contacts.iter().map(|k| {
            let mut o = Map::from_iter([("id".to_string(), id(&k.id)), ("rang".to_string(), id(&k.rang))]);
            o.extend(objet(ChampContact::TOUS, champs, ChampContact::groupe, ChampContact::cle, |c| Some(c.valeur(k))));
            Value::Object(o)
        });
        out.insert("contacts".into(), Value::Array(l.collect()));
    }
    if let Some(a) = &f.annuel {
        let o = objet(ChampAnnuel::TOUS, champs, ChampAnnuel::groupe, ChampAnnuel::cle, |c| Some(c.valeur(a)));
        if !o.is_empty() {
            out.insert("annuel".into(), Value::Object(o));
        }
    }
    out.insert("champs".into(), Value::Array(champs.noms().into_iter().map(Value::from).collect()));
    Value::Object(out)
}

/// List lines as `champs` allows them to be seen.
pub fn lignes(l: &[EleveLigne], champs: Champs) -> Value {
    Value::Array(
        l.iter()
            .map(|x| {
                let mut o = Map::from_iter([("id".to_string(), id(&x.id))]);
                o.extend(objet(ChampEleve::TOUS, champs, ChampEleve::groupe, ChampEleve::cle, |c| c.valeur_ligne(x)));
                o.extend(objet(ChampScolarite::TOUS, champs, ChampScolarite::groupe, ChampScolarite::cle, |c| {
                    c.valeur_ligne(x)
                }));
                Value::Object(o)
            })
            .collect(),
    )
}

//! A JSON body read strictly. serde's derived `Deserialize` takes a struct from an object *or*
//! from an array of its fields in order (`[null, true]` for `{"cantine": null, "etude":
//! true}`), which the OpenAPI document does not allow and no client means: [`Corps`] reads the
//! body as JSON, then gives it to the type through [`Strict`], which refuses an array where an
//! object is expected, at any depth. The field at fault is named by its path
//! (`serde_path_to_error`), as axum's `Json` names it.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON body of type `T`, read strictly (see the module).
#[derive(Debug)]
pub struct Corps<T>(pub T);

/// Why a body was refused, as `api::json` answers it.
#[derive(Debug)]
pub enum CorpsRefuse {
    /// Not sent as `application/json` (415).
    TypeContenu,
    /// Not JSON, or not UTF-8 (400).
    Syntaxe,
    /// JSON of another shape: serde's diagnostic, after the path of the field at fault.
    Donnees(String),
    /// The body could not be read (too large, too slow…): its status.
    Http(StatusCode),
}

impl axum::response::IntoResponse for CorpsRefuse {
    fn into_response(self) -> axum::response::Response {
        match super::api::json::<()>(Err(self)) {
            Err(e) => e.into_response(),
            Ok(()) => StatusCode::BAD_REQUEST.into_response(),
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Corps<T> {
    type Rejection = CorpsRefuse;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime_json::Essence>().ok())
            .is_some_and(|e| e.json);
        if !json {
            return Err(CorpsRefuse::TypeContenu);
        }
        let octets = Bytes::from_request(req, state).await.map_err(|e| CorpsRefuse::Http(e.status()))?;
        lire(&octets).map(Corps)
    }
}

/// `octets` as a `T`, strictly (see the module). The body is parsed once, into a value in
/// which no object holds a key twice (serde's derived code refuses a field sent twice; a plain
/// `Value` would keep the last one), then given to `T`.
pub fn lire<T: DeserializeOwned>(octets: &[u8]) -> Result<T, CorpsRefuse> {
    let donnees = |e: serde_path_to_error::Error<serde_json::Error>| {
        CorpsRefuse::Donnees(format!("Failed to deserialize the JSON body into the target type: {e}"))
    };
    let mut lecteur = serde_json::Deserializer::from_slice(octets);
    let v = match serde_path_to_error::deserialize::<_, SansDoublon>(&mut lecteur) {
        Ok(SansDoublon(v)) => v,
        Err(e) if e.inner().is_data() => return Err(donnees(e)),
        Err(_) => return Err(CorpsRefuse::Syntaxe),
    };
    lecteur.end().map_err(|_| CorpsRefuse::Syntaxe)?;
    serde_path_to_error::deserialize(Strict(v)).map_err(donnees)
}

/// A JSON value in which no object holds a key twice.
struct SansDoublon(Value);

impl<'de> de::Deserialize<'de> for SansDoublon {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(VisiteurSansDoublon)
    }
}

/// Builds a [`SansDoublon`].
struct VisiteurSansDoublon;

impl<'de> Visitor<'de> for VisiteurSansDoublon {
    type Value = SansDoublon;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("du JSON")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<SansDoublon, M::Error> {
        let mut objet = Map::new();
        while let Some(cle) = m.next_key::<String>()? {
            if objet.contains_key(&cle) {
                return Err(de::Error::custom(format_args!("duplicate field `{cle}`")));
            }
            let SansDoublon(v) = m.next_value()?;
            objet.insert(cle, v);
        }
        Ok(SansDoublon(Value::Object(objet)))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut s: S) -> Result<SansDoublon, S::Error> {
        let mut liste = Vec::new();
        while let Some(SansDoublon(v)) = s.next_element()? {
            liste.push(v);
        }
        Ok(SansDoublon(Value::Array(liste)))
    }

    fn visit_bool<E>(self, b: bool) -> Result<SansDoublon, E> {
        Ok(SansDoublon(Value::Bool(b)))
    }

    fn visit_i64<E>(self, n: i64) -> Result<SansDoublon, E> {
        Ok(SansDoublon(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<SansDoublon, E> {
        Ok(SansDoublon(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<SansDoublon, E> {
        Ok(SansDoublon(n.into()))
    }

    fn visit_str<E>(self, t: &str) -> Result<SansDoublon, E> {
        Ok(SansDoublon(Value::String(t.to_string())))
    }

    fn visit_string<E>(self, t: String) -> Result<SansDoublon, E> {
        Ok(SansDoublon(Value::String(t)))
    }

    fn visit_unit<E>(self) -> Result<SansDoublon, E> {
        Ok(SansDoublon(Value::Null))
    }
}

/// The media type of a body: JSON when it is `application/json` or ends in `+json`.
mod mime_json {
    /// What the `Content-Type` says.
    pub(super) struct Essence {
        pub(super) json: bool,
    }

    impl std::str::FromStr for Essence {
        type Err = ();

        fn from_str(s: &str) -> Result<Self, ()> {
            let essence = s.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            let (genre, sous) = essence.split_once('/').ok_or(())?;
            Ok(Self { json: genre == "application" && (sous == "json" || sous.ends_with("+json")) })
        }
    }
}

/// A JSON value that gives a struct or a map only from an object.
#[derive(Debug)]
pub struct Strict(pub Value);

impl<'de> de::Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(a) => v.visit_seq(Suite(a.into_iter())),
            Value::Object(m) => v.visit_map(Objet(m.into_iter(), None)),
            autre => autre.deserialize_any(v),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        nom: &'static str,
        champs: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(m) => v.visit_map(Objet(m.into_iter(), None)),
            Value::Array(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &v)),
            autre => autre.deserialize_struct(nom, champs, v),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(m) => v.visit_map(Objet(m.into_iter(), None)),
            autre => autre.deserialize_map(v),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => v.visit_none(),
            autre => v.visit_some(Strict(autre)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _nom: &'static str, v: V) -> Result<V::Value, Self::Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        nom: &'static str,
        variantes: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(nom, variantes, v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct identifier ignored_any
    }
}

/// The elements of an array, each strict.
struct Suite(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Suite {
    type Error = serde_json::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, Self::Error> {
        self.0.next().map(|v| seed.deserialize(Strict(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of an object, each value strict.
struct Objet(<Map<String, Value> as IntoIterator>::IntoIter, Option<Value>);

impl<'de> MapAccess<'de> for Objet {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        match self.0.next() {
            Some((k, v)) => {
                self.1 = Some(v);
                seed.deserialize(k.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Self::Error> {
        let v = self.1.take().ok_or_else(|| de::Error::custom("valeur sans clé"))?;
        seed.deserialize(Strict(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Annuel {
        cantine: Option<bool>,
        etude: Option<bool>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fiche {
        annuel: Option<Annuel>,
        #[serde(default)]
        contacts: Vec<Annuel>,
    }

    fn erreur<T: DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        match lire::<T>(json.as_bytes()) {
            Err(CorpsRefuse::Donnees(m)) => m,
            autre => panic!("{json}: {autre:?}"),
        }
    }

    #[test]
    fn an_object_is_read_as_serde_reads_it() {
        let f: Fiche = lire(br#"{"annuel": {"cantine": true}, "contacts": [{"etude": false}]}"#).unwrap();
        assert_eq!(f.annuel, Some(Annuel { cantine: Some(true), etude: None }));
        assert_eq!(f.contacts, [Annuel { cantine: None, etude: Some(false) }]);
        assert_eq!(lire::<Fiche>(br#"{"annuel": null}"#).unwrap().annuel, None);
    }

    #[test]
    fn an_array_is_never_a_struct_at_any_depth_and_the_path_is_named() {
        assert!(serde_json::from_str::<Annuel>("[null, true]").is_ok(), "serde alone takes it");
        assert!(erreur::<Annuel>("[null, true]").contains("invalid type: sequence, expected struct Annuel"));
        let m = erreur::<Fiche>(r#"{"annuel": [null, null]}"#);
        assert!(m.contains("target type: annuel: invalid type: sequence"), "{m}");
        let m = erreur::<Fiche>(r#"{"contacts": [[true, false]]}"#);
        assert!(m.contains("contacts[0]: invalid type: sequence"), "{m}");
        let m = erreur::<Fiche>(r#"{"annuel": {"religion": 1}}"#);
        assert!(m.contains("target type: annuel") && m.contains("unknown field `religion`"), "{m}");
    }

    #[test]
    fn a_key_twice_is_refused_by_its_path() {
        let m = erreur::<Fiche>(r#"{"annuel": {"cantine": true, "cantine": false}}"#);
        assert!(
            m.contains("annuel.cantine: duplicate field `cantine`") || m.contains("annuel: duplicate field"),
            "{m}"
        );
        assert!(serde_json::from_str::<Value>(r#"{"a": 1, "a": 2}"#).is_ok(), "a Value alone keeps the last");
    }

    #[test]
    fn not_json_is_a_syntax_error() {
        assert!(matches!(lire::<Annuel>(b"{"), Err(CorpsRefuse::Syntaxe)));
        assert!(matches!(lire::<Annuel>(b"{} {}"), Err(CorpsRefuse::Syntaxe)), "trailing JSON");
        assert!(matches!(lire::<Annuel>(b"\xff"), Err(CorpsRefuse::Syntaxe)));
    }

    #[test]
    fn json_media_types_are_application_json_and_plus_json() {
        let json = |s: &str| s.parse::<mime_json::Essence>().is_ok_and(|e| e.json);
        assert!(
            json("application/json") && json("Application/JSON; charset=utf-8") && json("application/merge-patch+json")
        );
        assert!(!json("text/json") && !json("application/x-www-form-urlencoded") && !json(""));
    }
}

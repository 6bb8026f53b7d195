//! How domain types are written to and read from SQLite columns. Reading re-validates: a value
//! altered outside the program is reported, never trusted.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::{
    AcademieId, AnneeScolaire, CirconscriptionId, ClasseId, CommuneId, CommuneInsee, ContactId, DepartementId, EcoleId,
    EleveId, Ine, Niveau, ResponsableId, Sexe, Uai,
};

fn invalid(what: &str) -> FromSqlError {
    FromSqlError::Other(format!("{what} invalide dans la base").into())
}

macro_rules! text_sql {
    ($ty:ty, $what:literal, |$s:ident| $parse:expr, |$v:ident| $write:expr) => {
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                let $v = self;
                Ok(ToSqlOutput::from($write))
            }
        }
        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let $s = value.as_str()?;
                $parse.ok_or_else(|| invalid($what))
            }
        }
    };
}

macro_rules! id_sql {
    ($($ty:ty),*) => {$(
        text_sql!($ty, "identifiant", |s| <$ty>::parse(s).ok(), |v| v.as_str());
    )*};
}

id_sql!(EleveId, EcoleId, ClasseId, CommuneId, CirconscriptionId, DepartementId, AcademieId, ResponsableId, ContactId);
text_sql!(Uai, "UAI", |s| Uai::parse(s).ok(), |v| v.as_str());
text_sql!(Ine, "INE", |s| Ine::parse(s).ok().map(|(i, _)| i), |v| v.as_str());
text_sql!(CommuneInsee, "code INSEE", |s| CommuneInsee::stocke(s), |v| v.as_str());
text_sql!(Niveau, "niveau", |s| Niveau::parse(s).ok(), |v| v.code());
text_sql!(Sexe, "sexe", |s| Sexe::parse(s).ok(), |v| v.code());

impl ToSql for AnneeScolaire {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.debut())))
    }
}

impl FromSql for AnneeScolaire {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = value.as_i64()?;
        i32::try_from(n).ok().and_then(|n| AnneeScolaire::new(n).ok()).ok_or_else(|| invalid("année scolaire"))
    }
}

text_sql!(crate::domain::EtatScolarite, "état de scolarité", |s| crate::domain::EtatScolarite::parse(s).ok(), |v| v
    .code());
text_sql!(crate::domain::Lien, "lien", |s| crate::domain::Lien::parse(s).ok(), |v| v.code());

impl ToSql for crate::domain::Cycle {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.numero())))
    }
}

impl FromSql for crate::domain::Cycle {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = value.as_i64()?;
        u8::try_from(n).ok().and_then(|n| crate::domain::Cycle::try_from(n).ok()).ok_or_else(|| invalid("cycle"))
    }
}

//! The state of a yearly schooling record (category IV).

use serde::{Deserialize, Serialize};

use super::identite::ChampInvalide;

/// Where a pupil stands in a school for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EtatScolarite {
    /// Admitted while a paper is missing.
    AdmisProvisoire,
    /// Admitted, file complete.
    AdmisDefinitif,
    /// Radiated (left during the year, with a certificat de radiation).
    Radie,
    /// Left the school at the end of the year ("quitte l'école").
    Parti,
}

impl EtatScolarite {
    /// Code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            EtatScolarite::AdmisProvisoire => "admis_provisoire",
            EtatScolarite::AdmisDefinitif => "admis_definitif",
            EtatScolarite::Radie => "radie",
            EtatScolarite::Parti => "parti",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            EtatScolarite::AdmisProvisoire => "admis provisoirement",
            EtatScolarite::AdmisDefinitif => "admis",
            EtatScolarite::Radie => "radié",
            EtatScolarite::Parti => "a quitté l'école",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self, ChampInvalide> {
        match s {
            "admis_provisoire" => Ok(EtatScolarite::AdmisProvisoire),
            "admis_definitif" => Ok(EtatScolarite::AdmisDefinitif),
            "radie" => Ok(EtatScolarite::Radie),
            "parti" => Ok(EtatScolarite::Parti),
            _ => Err(ChampInvalide::new("état", "inconnu")),
        }
    }

    /// Whether the pupil currently attends the school.
    pub fn est_present(self) -> bool {
        matches!(self, EtatScolarite::AdmisProvisoire | EtatScolarite::AdmisDefinitif)
    }
}

/// The class an admission asks to place the pupil in, as the school holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClasseChoisie<'a> {
    /// None: the pupil is placed later.
    Aucune,
    /// Not a class of the school for the year.
    Inconnue,
    /// A class of the school, with its niveaux.
    Niveaux(&'a [super::Niveau]),
}

/// An admission's rules about the school and the day, all checked, each refusal under its field
/// (`date`, `niveau`, `classe_id`): a form shows them all at once, each beside its field, instead
/// of the first one alone at the top.
pub fn regles_admission(
    date: time::Date,
    aujourdhui: time::Date,
    ecole: super::TypeEcole,
    niveau: super::Niveau,
    classe: ClasseChoisie<'_>,
) -> Result<(), super::Error> {
    let mut er = super::Erreurs::default();
    if date > aujourdhui {
        er.ajouter("date", ChampInvalide::new("date d'admission", "ne peut pas être dans le futur").into());
    }
    let admis = ecole.admet(niveau);
    if !admis {
        er.ajouter(
            "niveau",
            ChampInvalide::new("niveau", format!("une {} n'accueille pas le niveau {niveau}", ecole.libelle())).into(),
        );
    }
    match classe {
        ClasseChoisie::Aucune => {}
        ClasseChoisie::Inconnue => er.ajouter(
            "classe_id",
            ChampInvalide::new("classe", "ce n'est pas une classe de l'école pour l'année en cours").into(),
        ),
        // Only when the niveau itself is right: else the niveau is what to correct.
        ClasseChoisie::Niveaux(n) if admis && !n.contains(&niveau) => {
            let accueille = n.iter().map(|x| x.code()).collect::<Vec<_>>().join(", ");
            er.ajouter(
                "classe_id",
                ChampInvalide::new(
                    "classe",
                    format!("la classe choisie n'accueille pas le niveau {niveau} (elle accueille : {accueille})"),
                )
                .into(),
            );
        }
        ClasseChoisie::Niveaux(_) => {}
    }
    er.finir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admission_s_rules_are_all_reported_each_under_its_field() {
        use super::super::{Niveau, TypeEcole};
        let d = |j| time::Date::from_calendar_date(2026, time::Month::September, j).unwrap();
        assert!(regles_admission(d(1), d(1), TypeEcole::Elementaire, Niveau::Cp, ClasseChoisie::Aucune).is_ok());
        let cp = [Niveau::Cp, Niveau::Ce1];
        assert!(regles_admission(d(1), d(2), TypeEcole::Primaire, Niveau::Ce1, ClasseChoisie::Niveaux(&cp)).is_ok());
        let champs = |r: Result<(), crate::domain::Error>| match r {
            Err(crate::domain::Error::Champs(l)) => l.into_iter().map(|e| (e.champ, e.message)).collect::<Vec<_>>(),
            r => panic!("{r:?}"),
        };
        // A date in the future, a niveau the school does not teach, a class not of the school: all three.
        let l = champs(regles_admission(d(3), d(2), TypeEcole::Elementaire, Niveau::Ps, ClasseChoisie::Inconnue));
        assert_eq!(l.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["date", "niveau", "classe_id"]);
        assert!(l[0].1.starts_with("date d'admission : ") && l[1].1.contains("n'accueille pas le niveau PS"), "{l:?}");
        // A class of another niveau: named with what it takes.
        let ce = [Niveau::Ce1, Niveau::Ce2];
        let l = champs(regles_admission(d(1), d(1), TypeEcole::Elementaire, Niveau::Cp, ClasseChoisie::Niveaux(&ce)));
        assert_eq!(
            l,
            [(
                "classe_id".to_string(),
                "classe : la classe choisie n'accueille pas le niveau CP (elle accueille : CE1, CE2)".to_string()
            )]
        );
        // A niveau refused by the school is what to correct, not the class as well.
        let l = champs(regles_admission(d(1), d(1), TypeEcole::Maternelle, Niveau::Cp, ClasseChoisie::Niveaux(&ce)));
        assert_eq!(l.len(), 1, "{l:?}");
    }
}

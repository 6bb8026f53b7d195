//! The export in the ministry's format: two CSV files, or one workbook.

use super::*;

impl Service<'_> {
    /// The school's pupils of this year in the ministry's format (see the module): two CSV
    /// files, or one workbook. Journaled before it is handed over.
    pub fn exporter_onde(&self, ecole: &EcoleId, format: FormatEchange) -> Result<Vec<(String, Vec<u8>)>> {
        self.autoriser(Ressource::Echange, Action::Exporter)?;
        let p = &self.acteur.perimetre;
        let (uai, annee, fiches) = self.store.read(|c| {
            let e = territoires::ecole(c, p, ecole)?;
            let annee = territoires::annee_courante(c)?;
            let fiches = crate::store::onde::eleves_presents(c, ecole, annee)?
                .iter()
                .map(|id| Ok((eleves::fiche(c, p, id, annee)?, sc::fiche(c, p, id, annee)?.pieces)))
                .collect::<store::Result<Vec<_>>>()?;
            Ok((e.uai, annee, fiches))
        })?;
        let (eleves_t, responsables_t) = tables_export(&fiches, annee);
        self.noter(&[Fait::new(Action::Exporter, "eleve")
            .cible(ecole.to_string())
            .detail(json!({ "format": "onde", "eleves": fiches.len() }))])?;
        let base = format!("onde-{uai}-{annee}");
        match format {
            FormatEchange::Csv => Ok(vec![
                (format!("{base}-eleves.csv"), csv_protege(&eleves_t.1)?),
                (format!("{base}-responsables.csv"), csv_protege(&responsables_t.1)?),
            ]),
            FormatEchange::Xlsx => Ok(vec![(format!("{base}.xlsx"), classeur(&[eleves_t, responsables_t])?)]),
        }
    }
}

pub(super) fn oui_non(b: Option<bool>) -> String {
    match b {
        Some(true) => "Oui".into(),
        Some(false) => "Non".into(),
        None => String::new(),
    }
}

/// The responsable's columns of the export between the names and the link, in the ministry's
/// order.
pub(super) const ONDE_RESPONSABLE: [ChampResponsable; 8] = [
    ChampResponsable::Adresse,
    ChampResponsable::CodePostal,
    ChampResponsable::Commune,
    ChampResponsable::Pays,
    ChampResponsable::Courriel,
    ChampResponsable::TelDomicile,
    ChampResponsable::TelTravail,
    ChampResponsable::TelPortable,
];

/// The two tables of the export: pupils, then responsables with one block per child.
pub(super) fn tables_export(
    fiches: &[(FicheEleve, Vec<crate::domain::parcours::Piece>)],
    annee: AnneeScolaire,
) -> (Table, Table) {
    let mut eleves_l = vec![ENTETE_ELEVES.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    // Responsables once each, with their children in this school.
    let mut par_id: BTreeMap<String, (&eleves::ResponsableFiche, Vec<Enfant<'_>>)> = BTreeMap::new();
    for (f, pieces) in fiches {
        let e = &f.eleve;
        let s = f.scolarite(annee);
        let classe = s.and_then(|s| s.classe.clone());
        let associations = f.responsables.first().and_then(|r| r.accord_associations);
        let naissance = if e.naissance_insee.est_a_completer() { String::new() } else { e.naissance_insee.to_string() };
        eleves_l.push(vec![
            e.nom.clone(),
            e.nom_usage.clone().unwrap_or_default(),
            e.prenoms.clone(),
            date_fr(e.date_naissance),
            e.sexe.code().into(),
            e.ine.as_ref().map(|i| i.as_str().to_string()).unwrap_or_default(),
            e.adresse.clone().unwrap_or_default(),
            e.code_postal.clone().unwrap_or_default(),
            e.commune_residence.clone().unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            s.map(|s| format!("CYCLE {}", ["I", "II", "III"][usize::from(s.cycle.numero()).clamp(1, 3) - 1]))
                .unwrap_or_default(),
            s.map(|s| s.niveau.to_string()).unwrap_or_default(),
            classe.clone().unwrap_or_default(),
            String::new(),
            String::new(),
            oui_non(associations),
            oui_non(f.annuel.as_ref().and_then(|a| a.autorisation_photo)),
            String::new(),
            e.naissance_lieu.clone(),
            naissance,
            s.map(|s| date_fr(s.date_admission)).unwrap_or_default(),
            pieces.iter().map(|p| p.code()).collect::<Vec<_>>().join(","),
            if s.is_some_and(|s| s.ulis) { "Oui".into() } else { String::new() },
        ]);
        for r in &f.responsables {
            par_id.entry(r.id.to_string()).or_insert((r, Vec::new())).1.push((f, classe.clone()));
        }
    }
    // Rows in the order of their rank on the children's records (rank 1 first), then by name:
    // an import links them in file order, so each child gets its responsables in the same order.
    let mut responsables: Vec<_> = par_id.into_values().collect();
    responsables.sort_by_cached_key(|(r, enfants)| {
        let rang = enfants
            .iter()
            .filter_map(|(f, _)| f.responsables.iter().find(|x| x.id == r.id).map(|x| x.rang))
            .min()
            .unwrap_or(u8::MAX);
        (
            rang,
            crate::domain::tri::cle(r.personne.nom.as_str()),
            crate::domain::tri::cle(r.personne.prenom.as_str()),
            r.id.to_string(),
        )
    });
    let blocs = responsables.iter().map(|(_, e)| e.len()).max().unwrap_or(1).max(1);
    let mut entete: Vec<String> = ENTETE_RESPONSABLES.iter().map(|s| s.to_string()).collect();
    for _ in 0..blocs {
        entete.extend(ENTETE_ENFANT.iter().map(|s| s.to_string()));
    }
    let mut resp_l = vec![entete];
    for (r, enfants) in &responsables {
        let mut l = vec![
            match r.personne.civilite {
                Some(crate::domain::Civilite::M) => "M.".into(),
                Some(crate::domain::Civilite::Mme) => "MME".into(),
                None => String::new(),
            },
            r.personne.nom.to_string(),
            r.personne.nom.to_string(),
            r.personne.prenom.to_string(),
        ];
        l.extend(ONDE_RESPONSABLE.iter().map(|c| c.texte(&r.personne).unwrap_or_default()));
        l.push(r.personne.lien.libelle().split(' ').next().unwrap_or_default().to_string());
        for (f, classe) in enfants {
            let accord = f.responsables.iter().find(|x| x.id == r.id).and_then(|x| x.accord_associations);
            l.extend([
                f.eleve.nom_usage.clone().unwrap_or_default(),
                f.eleve.nom.clone(),
                f.eleve.prenoms.clone(),
                classe.clone().unwrap_or_default(),
                oui_non(accord),
            ]);
        }
        l.resize(ENTETE_RESPONSABLES.len() + ENTETE_ENFANT.len() * blocs, String::new());
        resp_l.push(l);
    }
    (("Élèves", eleves_l), ("Responsables", resp_l))
}

/// CSV with every cell protected from spreadsheet formulas (read back as written by the import).
pub(super) fn csv_protege(lignes: &[Vec<String>]) -> Result<Vec<u8>> {
    super::super::csv_octets(
        lignes.iter().map(|l| l.iter().map(|c| super::super::documents::cellule(c).into_owned())),
        true,
    )
}

/// A workbook as an office worker expects it, one sheet per table: the header row bold,
/// frozen and filtered, columns as wide as their content, dates as dates (`jj/mm/aaaa`), every
/// other cell as text (codes and phones keep their leading zeros).
pub(super) fn classeur(tables: &[Table]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let e = super::super::erreur_fichier;
    let mut wb = Workbook::new();
    let gras = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (nom, lignes) in tables {
        let ws = wb.add_worksheet();
        ws.set_name(*nom).map_err(e)?;
        for (i, l) in lignes.iter().enumerate() {
            for (j, c) in l.iter().enumerate() {
                let (ligne, colonne) = (i as u32, j as u16);
                if i == 0 {
                    ws.write_string_with_format(ligne, colonne, c, &gras).map_err(e)?;
                } else if let Some(d) = jour(c).and_then(|(a, m, j)| ExcelDateTime::from_ymd(a, m, j).ok()) {
                    ws.write_datetime_with_format(ligne, colonne, &d, &date).map_err(e)?;
                } else {
                    ws.write_string(ligne, colonne, c).map_err(e)?;
                }
            }
        }
        let colonnes = lignes.first().map_or(0, Vec::len);
        if colonnes > 0 {
            ws.set_freeze_panes(1, 0).map_err(e)?;
            ws.autofilter(0, 0, lignes.len().saturating_sub(1) as u32, (colonnes - 1) as u16).map_err(e)?;
            ws.autofit();
        }
    }
    wb.save_to_buffer().map_err(e)
}

/// `jj/mm/aaaa` as (year, month, day), when `s` is exactly that and a real day.
fn jour(s: &str) -> Option<(u16, u8, u8)> {
    if s.len() != 10 {
        return None;
    }
    let d = time::Date::parse(s, time::macros::format_description!("[day]/[month]/[year]")).ok()?;
    Some((u16::try_from(d.year()).ok()?, u8::from(d.month()), d.day()))
}

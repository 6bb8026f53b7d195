//! The statistical secret of a published table (docs/domaine.md §5): no published count
//! lies between 1 and 10, and none of the suppressed ones can be recomputed from what is
//! published (the other cells, the row and column totals, the grand total).
//!
//! The rule, chosen because it can be proved and checked:
//! 1. every cell from 1 to 10 is suppressed (primary);
//! 2. a column with exactly one suppressed cell gets a second one, its smallest other
//!    non-zero cell; when it has none, the column's total is suppressed instead;
//! 3. a row with a suppressed cell has its total suppressed; a total from 1 to 10 is
//!    suppressed; the grand total is suppressed as soon as a column total is (published, it
//!    is only the sum of the published column totals).
//!
//! Then the only equations that involve a suppressed cell are the published column totals,
//! and each holds at least two suppressed cells: none is determined (the property test checks
//! this against the whole linear system).

use serde::Serialize;

/// A table as published: `None` where suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publie {
    /// Cells, by row.
    pub cellules: Vec<Vec<Option<u32>>>,
    /// Row totals.
    pub totaux_lignes: Vec<Option<u32>>,
    /// Column totals.
    pub totaux_colonnes: Vec<Option<u32>>,
    /// Grand total.
    pub total: Option<u32>,
}

/// Whether a count must not be published.
pub fn secret(n: u32) -> bool {
    (1..=10).contains(&n)
}

/// The table with the statistical secret applied (see the module). Rows of unequal length are
/// read as if padded with zeros.
pub fn publier(t: &[Vec<u32>]) -> Publie {
    let largeur = t.iter().map(Vec::len).max().unwrap_or(0);
    let val = |i: usize, j: usize| t[i].get(j).copied().unwrap_or(0);
    let mut cel: Vec<Vec<Option<u32>>> =
        (0..t.len()).map(|i| (0..largeur).map(|j| Some(val(i, j)).filter(|v| !secret(*v))).collect()).collect();
    let totaux_colonnes_bruts: Vec<u32> = (0..largeur).map(|j| (0..t.len()).map(|i| val(i, j)).sum()).collect();
    let mut totaux_colonnes: Vec<Option<u32>> =
        totaux_colonnes_bruts.iter().map(|v| Some(*v).filter(|v| !secret(*v))).collect();
    for j in 0..largeur {
        let caches = (0..t.len()).filter(|&i| cel[i][j].is_none()).count();
        if caches == 1 && totaux_colonnes[j].is_some() {
            let autre = (0..t.len()).filter(|&i| cel[i][j].is_some_and(|v| v > 0)).min_by_key(|&i| val(i, j));
            match autre {
                Some(i) => cel[i][j] = None,
                None => totaux_colonnes[j] = None,
            }
        }
    }
    let totaux_lignes: Vec<Option<u32>> = (0..t.len())
        .map(|i| {
            let somme: u32 = (0..largeur).map(|j| val(i, j)).sum();
            Some(somme).filter(|s| !secret(*s) && cel[i].iter().all(Option::is_some))
        })
        .collect();
    let grand: u32 = totaux_colonnes_bruts.iter().sum();
    // Published, it is the sum of the published column totals (no new information); hidden as
    // soon as a column total is (it would give that total back).
    let total = Some(grand).filter(|g| !secret(*g) && totaux_colonnes.iter().all(Option::is_some));
    Publie { cellules: cel, totaux_lignes, totaux_colonnes, total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The suppressed cells that the published values determine: each unknown (suppressed
    /// cell or total) and each equation (a row, a column, the totals) over them; a cell is
    /// determined when its unit vector lies in the span of the equations (rank test).
    fn determines(t: &[Vec<u32>], p: &Publie) -> Vec<(usize, usize)> {
        let (n, m) = (t.len(), p.totaux_colonnes.len());
        // Unknowns: cells (n*m), row totals (n), column totals (m), the grand total.
        let nb = n * m + n + m + 1;
        let cell = |i: usize, j: usize| i * m + j;
        let rt = |i: usize| n * m + i;
        let ct = |j: usize| n * m + n + j;
        let gt = n * m + n + m;
        let mut eqs: Vec<Vec<f64>> = Vec::new();
        // Each published value is an equation « x = value » (only its coefficient matters here).
        let mut connu = vec![false; nb];
        for i in 0..n {
            for j in 0..m {
                connu[cell(i, j)] = p.cellules[i][j].is_some();
            }
            connu[rt(i)] = p.totaux_lignes[i].is_some();
        }
        for j in 0..m {
            connu[ct(j)] = p.totaux_colonnes[j].is_some();
        }
        connu[gt] = p.total.is_some();
        for (k, c) in connu.iter().enumerate() {
            if *c {
                let mut e = vec![0.0; nb];
                e[k] = 1.0;
                eqs.push(e);
            }
        }
        for i in 0..n {
            let mut e = vec![0.0; nb];
            (0..m).for_each(|j| e[cell(i, j)] = 1.0);
            e[rt(i)] = -1.0;
            eqs.push(e);
        }
        for j in 0..m {
            let mut e = vec![0.0; nb];
            (0..n).for_each(|i| e[cell(i, j)] = 1.0);
            e[ct(j)] = -1.0;
            eqs.push(e);
        }
        let mut e = vec![0.0; nb];
        (0..n).for_each(|i| e[rt(i)] = 1.0);
        e[gt] = -1.0;
        eqs.push(e);
        let rang = |m: &[Vec<f64>]| -> usize {
            let mut a: Vec<Vec<f64>> = m.to_vec();
            let mut r = 0;
            for col in 0..nb {
                let Some(p) = (r..a.len()).find(|&k| a[k][col].abs() > 1e-9) else { continue };
                a.swap(r, p);
                let pivot = a[r].clone();
                for (k, ligne) in a.iter_mut().enumerate() {
                    if k != r && ligne[col].abs() > 1e-9 {
                        let f = ligne[col] / pivot[col];
                        for (x, p) in ligne.iter_mut().zip(&pivot).skip(col) {
                            *x -= f * p;
                        }
                    }
                }
                r += 1;
            }
            r
        };
        let base = rang(&eqs);
        let mut out = Vec::new();
        for i in 0..n {
            for j in 0..m {
                if p.cellules[i][j].is_none() {
                    let mut plus = eqs.clone();
                    let mut e = vec![0.0; nb];
                    e[cell(i, j)] = 1.0;
                    plus.push(e);
                    if rang(&plus) == base {
                        out.push((i, j));
                    }
                }
            }
        }
        let _ = t;
        out
    }

    #[test]
    fn small_cells_and_the_cells_that_would_reveal_them_are_suppressed() {
        let t = vec![vec![4, 25, 30], vec![28, 26, 27], vec![0, 31, 0]];
        let p = publier(&t);
        assert_eq!(p.cellules[0][0], None, "primary");
        assert_eq!(p.cellules[1][0], None, "secondary in the column");
        assert_eq!(p.totaux_lignes[0], None);
        assert_eq!(p.totaux_lignes[1], None);
        assert_eq!(p.totaux_lignes[2], Some(31));
        assert_eq!(p.total, Some(171), "the sum of the published column totals");
        assert!(determines(&t, &p).is_empty());
    }

    #[test]
    fn a_lone_small_cell_hides_its_column_total() {
        let t = vec![vec![5, 40], vec![0, 30]];
        let p = publier(&t);
        assert_eq!(p.cellules[0][0], None);
        assert_eq!(p.totaux_colonnes[0], None);
        assert!(determines(&t, &p).is_empty());
    }

    #[test]
    fn the_checker_sees_a_naive_suppression_fail() {
        // Only the small cell hidden, totals published: it is determined.
        let t = vec![vec![4, 25], vec![28, 26]];
        let naive = Publie {
            cellules: vec![vec![None, Some(25)], vec![Some(28), Some(26)]],
            totaux_lignes: vec![Some(29), Some(54)],
            totaux_colonnes: vec![Some(32), Some(51)],
            total: Some(83),
        };
        assert_eq!(determines(&t, &naive), vec![(0, 0)]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn no_published_count_is_1_to_10_and_no_suppressed_cell_can_be_recomputed(
            t in proptest::collection::vec(proptest::collection::vec(prop_oneof![Just(0u32), 1u32..=10, 11u32..60], 1..5), 1..6)
        ) {
            let p = publier(&t);
            let publies = p.cellules.iter().flatten().chain(&p.totaux_lignes).chain(&p.totaux_colonnes).chain(std::iter::once(&p.total));
            for v in publies.flatten() {
                prop_assert!(!secret(*v), "published {v}");
            }
            prop_assert!(determines(&t, &p).is_empty(), "{:?} → {:?}", t, p);
        }
    }
}

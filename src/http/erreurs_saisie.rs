//! A refused form shows every error beside its field: the use case reports each refused field
//! under the API's key (`eleve.nom`, `responsables[0].tel_portable`), the page maps the keys to
//! its inputs' names, and [`marquer`] marks the rendered form: each control in error gets
//! `aria-invalid` and `aria-describedby` pointing to its message, written right after the
//! control, and a summary under the page's title links to each field (RGAA 11.10, 11.11);
//! [`remplir`] puts back what was typed into the form of a page rendered again. Done on the
//! rendered page so that every form, whatever its template, is marked and filled the same way.

use super::Error;

/// A field in error on a form: the input's `name`, and the French message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ErreurSaisie {
    pub nom: String,
    pub message: String,
}

/// The errors of `e` as a form's fields: each key translated by `nommer` into an input's name
/// (identity when the names are the API's keys).
pub(super) fn du_formulaire(e: &Error, nommer: impl Fn(&str) -> String) -> Vec<ErreurSaisie> {
    e.erreurs_champs().into_iter().map(|c| ErreurSaisie { nom: nommer(&c.champ), message: c.message }).collect()
}

/// The key of the API's child request as the pupil forms name their inputs: `eleve.nom` is
/// `eleve_nom`, `responsables[0].nom` is `r1_nom`; others keep their name.
pub(super) fn nom_enfant(cle: &str) -> String {
    if let Some((liste, i, champ)) = element(cle)
        && liste == "responsables"
    {
        return format!("r{}_{champ}", i + 1);
    }
    cle.replace('.', "_")
}

/// A list item's field key, `responsables[1].nom`, as (list, index, field).
pub(super) fn element(cle: &str) -> Option<(&str, usize, &str)> {
    let (liste, reste) = cle.split_once('[')?;
    let (i, reste) = reste.split_once("].")?;
    Some((liste, i.parse().ok()?, reste))
}

fn echapper(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#x27;"),
            c => o.push(c),
        }
    }
    o
}

/// The message with its first letter upper-cased (the domain's messages start in lower case).
fn phrase(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The form controls named `nom`: the byte offsets of their tags' `<` and `>`.
fn controles(html: &str, nom: &str) -> Vec<(usize, usize)> {
    let aiguille = format!(" name=\"{}\"", echapper(nom));
    let mut out = Vec::new();
    let mut depuis = 0;
    while let Some(i) = html[depuis..].find(&aiguille) {
        let pos = depuis + i;
        depuis = pos + aiguille.len();
        let Some(debut) = html[..pos].rfind('<') else { continue };
        let Some(fin) = html[pos..].find('>').map(|f| pos + f) else { continue };
        let balise = &html[debut + 1..pos];
        let nom_balise = balise.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or("");
        if matches!(nom_balise, "input" | "select" | "textarea") && !balise.contains('>') {
            out.push((debut, fin));
        }
    }
    out
}

/// The value of attribute `attr` in a tag's text.
fn attribut<'a>(balise: &'a str, attr: &str) -> Option<&'a str> {
    let motif = format!(" {attr}=\"");
    let i = balise.find(&motif)? + motif.len();
    let f = balise[i..].find('"')?;
    Some(&balise[i..i + f])
}

/// Marks the controls in error of a rendered page and puts a summary above the form that holds
/// the first one. A message whose field has no control on the page goes in the summary only.
pub(super) fn marquer(html: &str, erreurs: &[ErreurSaisie]) -> String {
    marquer_dans(html, None, erreurs)
}

/// Whether a `<form …>` tag posts to `action` (a GET form may share the address: the role
/// chooser of the accounts page).
fn est_le_formulaire(balise: &str, action: &str) -> bool {
    attribut(balise, "action").map(desechapper).as_deref() == Some(action)
        && attribut(balise, "method").is_some_and(|m| m.eq_ignore_ascii_case("post"))
}

/// The span of the form whose action is `action` (the whole page without one), and the form's
/// `id`, which controls outside it name in their `form` attribute.
fn etendue(html: &str, action: Option<&str>) -> (usize, usize, Option<String>) {
    let Some(action) = action else { return (0, html.len(), None) };
    let mut depuis = 0;
    while let Some(i) = html[depuis..].find("<form") {
        let debut = depuis + i;
        let Some(f) = html[debut..].find('>') else { break };
        let fin_balise = debut + f;
        if est_le_formulaire(&html[debut..fin_balise], action) {
            let fin = html[fin_balise..].find("</form>").map(|x| fin_balise + x).unwrap_or(html.len());
            return (debut, fin, attribut(&html[debut..fin_balise], "id").map(str::to_string));
        }
        depuis = fin_balise;
    }
    (0, html.len(), None)
}

/// The controls named `nom` of the form spanning `de..a` with id `id`: inside it, or anywhere
/// with `form="id"` (a table of boxes outside the form that sends them).
fn controles_du_formulaire(html: &str, (de, a): (usize, usize), id: Option<&str>, nom: &str) -> Vec<(usize, usize)> {
    let mut l: Vec<(usize, usize)> = controles(&html[de..a], nom).into_iter().map(|(d, f)| (d + de, f + de)).collect();
    if let Some(id) = id {
        let lien = format!(" form=\"{id}\"");
        l.extend(controles(html, nom).into_iter().filter(|&(d, f)| (d < de || d >= a) && html[d..f].contains(&lien)));
        l.sort_unstable();
    }
    l
}

/// Like [`marquer`], the controls searched only in the form whose action is `action` (a page
/// may hold several forms with a field of the same name).
pub(super) fn marquer_dans(html: &str, action: Option<&str>, erreurs: &[ErreurSaisie]) -> String {
    if erreurs.is_empty() {
        return html.to_string();
    }
    let mut html = html.to_string();
    // Summary lines: (link target, message).
    let mut resume: Vec<(Option<String>, String)> = Vec::new();
    // One message per field: a field refused twice gets both reasons in one message.
    let mut par_champ: Vec<ErreurSaisie> = Vec::new();
    for e in erreurs {
        let message = phrase(&e.message);
        match par_champ.iter_mut().find(|x| x.nom == e.nom) {
            Some(x) if !x.message.contains(&message) => x.message = format!("{} ; {message}", x.message),
            Some(_) => {}
            None => par_champ.push(ErreurSaisie { nom: e.nom.clone(), message }),
        }
    }
    for e in &par_champ {
        let message = e.message.clone();
        let (de, a, id) = etendue(&html, action);
        let places = controles_du_formulaire(&html, (de, a), id.as_deref(), &e.nom);
        let Some(&(debut, fin)) = places.first() else {
            resume.push((None, message));
            continue;
        };
        let id_message = format!("erreur-{}", echapper(&e.nom));
        let balise = html[debut..fin].to_string();
        let cible = match attribut(&balise, "id") {
            Some(id) => id.to_string(),
            None => format!("champ-{}", echapper(&e.nom)),
        };
        // Every control of that name (a group of radios or boxes) is marked; the message
        // follows the first. Done from the last, so the offsets before stay valid.
        for (k, &(d, f)) in places.iter().enumerate().rev() {
            let balise = &html[d..f];
            let mut nouvelle = balise.to_string();
            if attribut(balise, "aria-invalid").is_none() {
                nouvelle.push_str(" aria-invalid=\"true\"");
            }
            match attribut(balise, "aria-describedby") {
                Some(avant) if !avant.split(' ').any(|x| x == id_message) => {
                    nouvelle = nouvelle.replacen(
                        &format!(" aria-describedby=\"{avant}\""),
                        &format!(" aria-describedby=\"{avant} {id_message}\""),
                        1,
                    );
                }
                Some(_) => {}
                None => nouvelle.push_str(&format!(" aria-describedby=\"{id_message}\"")),
            }
            if k == 0 && attribut(balise, "id").is_none() {
                nouvelle.push_str(&format!(" id=\"{cible}\""));
            }
            let mut apres = f + 1;
            if k == 0 {
                let nom_balise = balise[1..].split(|c: char| c.is_ascii_whitespace()).next().unwrap_or("");
                if let Some(fermeture) = match nom_balise {
                    "select" => Some("</select>"),
                    "textarea" => Some("</textarea>"),
                    _ => None,
                } && let Some(i) = html[f..].find(fermeture)
                {
                    apres = f + i + fermeture.len();
                }
                let texte = format!("<span class=\"erreur-champ\" id=\"{id_message}\">{}</span>", echapper(&message));
                html.insert_str(apres, &texte);
            }
            html.replace_range(d..f, &nouvelle);
        }
        resume.push((Some(cible), message));
    }
    let n = resume.len();
    let mut bloc = format!(
        "<div class=\"alerte\" role=\"alert\" id=\"erreurs\"><p>Rien n'est enregistré : {n} {} à corriger.</p><ul>",
        if n > 1 { "champs" } else { "champ" }
    );
    for (cible, message) in &resume {
        match cible {
            Some(c) => bloc.push_str(&format!("<li><a href=\"#{c}\">{}</a></li>", echapper(message))),
            None => bloc.push_str(&format!("<li>{}</li>", echapper(message))),
        }
    }
    bloc.push_str("</ul></div>");
    // At the top of the content, under the page's title: seen without scrolling, whatever
    // the form's place on a long page (its links lead to each field).
    let position = html
        .find("<main")
        .and_then(|m| html[m..].find("</h1>").map(|h| m + h + 5).or_else(|| html[m..].find('>').map(|f| m + f + 1)));
    match position {
        Some(p) => html.insert_str(p, &bloc),
        None => html.insert_str(0, &bloc),
    }
    // The window's title says it too (the first thing a screen reader announces).
    if let Some(t) = html.find("<title>") {
        html.insert_str(t + 7, "Erreur — ");
    }
    html
}

fn desechapper(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A tag's attributes without `attr` (` checked`, ` selected`, or ` value="…"`).
fn sans_attribut(balise: &str, attr: &str) -> String {
    let mut b = balise.to_string();
    let motif = format!(" {attr}=\"");
    if let Some(i) = b.find(&motif)
        && let Some(f) = b[i + motif.len()..].find('"')
    {
        b.replace_range(i..i + motif.len() + f + 1, "");
    }
    for fin in [">", " "] {
        b = b.replace(&format!(" {attr}{fin}"), fin);
    }
    b
}

/// The tag with ` attr` added before its `>`.
fn avec(balise: &str, ajout: &str) -> String {
    let fin = if balise.ends_with("/>") { balise.len() - 2 } else { balise.len() - 1 };
    format!("{}{ajout}{}", &balise[..fin], &balise[fin..])
}

/// Puts back what was typed in the form of `html` whose action is `action`: text fields get
/// their value, boxes and radios their state, lists their choice. Never a password, a file, a
/// hidden field (the CSRF token stays the page's own) or a button.
pub(super) fn remplir(html: &str, action: &str, valeurs: &[(String, String)]) -> String {
    let mut depuis = 0;
    while let Some(i) = html[depuis..].find("<form") {
        let debut = depuis + i;
        let Some(f) = html[debut..].find('>') else { break };
        let fin_balise = debut + f;
        let fin = html[fin_balise..].find("</form>").map(|x| fin_balise + x).unwrap_or(html.len());
        if est_le_formulaire(&html[debut..fin_balise], action) {
            let segment = remplir_segment(&html[fin_balise + 1..fin], valeurs, |_| true);
            let page = format!("{}{segment}{}", &html[..fin_balise + 1], &html[fin..]);
            // Boxes outside the form that name it (`form="id"`).
            return match attribut(&html[debut..fin_balise], "id") {
                Some(id) => {
                    let lien = format!(" form=\"{id}\"");
                    remplir_segment(&page, valeurs, |balise| balise.contains(&lien))
                }
                None => page,
            };
        }
        depuis = fin_balise;
    }
    html.to_string()
}

/// Fills the controls of `segment` that `garder` accepts (by their tag).
fn remplir_segment(segment: &str, valeurs: &[(String, String)], garder: impl Fn(&str) -> bool) -> String {
    fn de<'a>(valeurs: &'a [(String, String)], nom: &'a str) -> impl Iterator<Item = &'a str> {
        valeurs.iter().filter(move |(n, _)| n == nom).map(|(_, v)| v.as_str())
    }
    let mut out = String::with_capacity(segment.len() + 256);
    let mut i = 0;
    let mut rang: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    while let Some(j) = segment[i..].find('<') {
        let j = i + j;
        out.push_str(&segment[i..j]);
        let Some(k) = segment[j..].find('>').map(|k| j + k) else {
            i = j;
            break;
        };
        let balise = &segment[j..=k];
        let nom_balise = balise[1..].split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or("");
        let nom = attribut(balise, "name").map(desechapper);
        i = k + 1;
        let Some(nom) = nom.filter(|_| garder(balise)) else {
            out.push_str(balise);
            continue;
        };
        match nom_balise {
            "input" => {
                let genre = attribut(balise, "type").unwrap_or("text");
                if matches!(genre, "hidden" | "password" | "file" | "submit" | "button" | "reset") || nom == "csrf" {
                    out.push_str(balise);
                } else if matches!(genre, "checkbox" | "radio") {
                    let valeur = attribut(balise, "value").map(desechapper).unwrap_or_else(|| "on".into());
                    let b = sans_attribut(balise, "checked");
                    out.push_str(&if de(valeurs, &nom).any(|v| v == valeur) { avec(&b, " checked") } else { b });
                } else {
                    // The n-th field of that name takes the n-th value.
                    let n = rang.entry(nom.clone()).or_default();
                    match de(valeurs, &nom).nth(*n) {
                        Some(v) => {
                            out.push_str(&avec(&sans_attribut(balise, "value"), &format!(" value=\"{}\"", echapper(v))))
                        }
                        None => out.push_str(balise),
                    }
                    *n += 1;
                }
            }
            "select" => {
                out.push_str(balise);
                let fin = segment[i..].find("</select>").map(|x| i + x).unwrap_or(segment.len());
                let choisis: Vec<&str> = de(valeurs, &nom).collect();
                let mut options = &segment[i..fin];
                while let Some(o) = options.find("<option") {
                    out.push_str(&options[..o]);
                    let Some(of) = options[o..].find('>') else { break };
                    let opt = &options[o..=o + of];
                    let valeur = attribut(opt, "value").map(desechapper).unwrap_or_default();
                    let b = sans_attribut(opt, "selected");
                    out.push_str(&if !choisis.is_empty() && choisis.contains(&valeur.as_str()) {
                        avec(&b, " selected")
                    } else if choisis.is_empty() {
                        opt.to_string()
                    } else {
                        b
                    });
                    options = &options[o + of + 1..];
                }
                out.push_str(options);
                i = fin;
            }
            "textarea" => {
                out.push_str(balise);
                let fin = segment[i..].find("</textarea>").map(|x| i + x).unwrap_or(segment.len());
                match de(valeurs, &nom).next() {
                    Some(v) => out.push_str(&echapper(v)),
                    None => out.push_str(&segment[i..fin]),
                }
                i = fin;
            }
            _ => out.push_str(balise),
        }
    }
    out.push_str(&segment[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(nom: &str, message: &str) -> ErreurSaisie {
        ErreurSaisie { nom: nom.into(), message: message.into() }
    }

    #[test]
    fn marks_each_control_with_its_message_and_a_summary() {
        let page = r#"<main><h1>T</h1><form action="/x" method="get"></form><form action="/x" method="post"><label>Nom<input name="eleve_nom" value="a&lt;b"></label><label>Sexe<select name="eleve_sexe"><option value=""></option></select></label><label>Ok<input name="autre"></label></form></main>"#;
        let out = marquer(page, &[e("eleve_nom", "nom : caractère <interdit>"), e("eleve_sexe", "sexe : requis")]);
        assert!(out.contains(r#"<input name="eleve_nom" value="a&lt;b" aria-invalid="true" aria-describedby="erreur-eleve_nom" id="champ-eleve_nom"><span class="erreur-champ" id="erreur-eleve_nom">Nom : caractère &lt;interdit&gt;</span></label>"#), "{out}");
        assert!(
            out.contains(r#"</select><span class="erreur-champ" id="erreur-eleve_sexe">Sexe : requis</span></label>"#),
            "{out}"
        );
        assert!(out.contains(r#"<input name="autre">"#), "untouched: {out}");
        let resume = out.find("id=\"erreurs\"").unwrap();
        assert!(out.find("</h1>").unwrap() < resume && resume < out.find("<form").unwrap(), "under the title: {out}");
        assert!(out.contains(r##"<li><a href="#champ-eleve_nom">Nom : caractère &lt;interdit&gt;</a></li>"##));
        assert!(out.contains("2 champs à corriger"));
    }

    #[test]
    fn keeps_existing_ids_and_descriptions_and_marks_groups() {
        let page = r#"<main><form method="post"><input type="radio" name="c" value="1" id="c1"><input type="radio" name="c" value="2"><input id="x" name="d" aria-describedby="aide-d"></form></main>"#;
        let out = marquer(page, &[e("c", "choisissez"), e("d", "trop long"), e("absent", "autre problème")]);
        assert_eq!(out.matches(r#"aria-invalid="true""#).count(), 3, "{out}");
        assert!(
            out.contains(r#"id="x" name="d" aria-describedby="aide-d erreur-d" aria-invalid="true""#)
                || out.contains(r#"aria-describedby="aide-d erreur-d""#),
            "{out}"
        );
        assert!(out.contains(r##"href="#c1""##) && out.contains(r##"href="#x""##), "{out}");
        assert!(out.contains("<li>Autre problème</li>"), "a field without control goes to the summary: {out}");
    }

    #[test]
    fn puts_back_what_was_typed_in_the_right_form_only() {
        let page = r#"<form action="&#x2F;a" method="post"><input name="x" value="old"></form><form action="&#x2F;eleves&#x2F;b" method="get"><input name="x" value="get"></form><form action="&#x2F;eleves&#x2F;b" method="post"><input type="hidden" name="csrf" value="tok"><input name="x" value="old"><input type="password" name="mdp"><select name="motif"><option value=""></option><option value="demenagement" selected>Déménagement</option><option value="autre">Autre</option></select><input type="checkbox" name="c" value="1" checked><input type="checkbox" name="c" value="2"><textarea name="t">avant</textarea></form>"#;
        let valeurs: Vec<(String, String)> = [
            ("csrf", "forged"),
            ("x", "<b>\"neuf\""),
            ("mdp", "secret"),
            ("motif", "autre"),
            ("c", "2"),
            ("t", "après </textarea>"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let out = remplir(page, "/eleves/b", &valeurs);
        assert!(
            out.starts_with(r#"<form action="&#x2F;a" method="post"><input name="x" value="old"></form>"#),
            "other form untouched: {out}"
        );
        assert!(out.contains(r#"<input name="x" value="get">"#), "the GET form with the same action untouched: {out}");
        assert!(out.contains(r#"name="csrf" value="tok""#), "{out}");
        assert!(out.contains(r#"<input name="x" value="&lt;b&gt;&quot;neuf&quot;">"#), "{out}");
        assert!(!out.contains("secret"), "never a password: {out}");
        assert!(
            out.contains(r#"<option value="demenagement">Déménagement</option><option value="autre" selected>"#),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<input type="checkbox" name="c" value="1"><input type="checkbox" name="c" value="2" checked>"#
            ),
            "{out}"
        );
        assert!(
            out.contains("<textarea name=\"t\">après &lt;&#x2F;textarea&gt;</textarea>")
                || out.contains("<textarea name=\"t\">après &lt;/textarea&gt;</textarea>"),
            "{out}"
        );
    }

    #[test]
    fn boxes_outside_their_form_are_marked_and_filled() {
        let page = r#"<main><h1>C</h1><table><tr><td><input type="checkbox" name="eleves" value="a" form="deplacer"></td></tr><tr><td><input type="checkbox" name="eleves" value="b" form="deplacer"></td></tr></table><form id="deplacer" action="/p" method="post"><select name="classe_id"><option value=""></option><option value="k">K</option></select></form></main>"#;
        let valeurs = vec![("eleves".to_string(), "b".to_string())];
        let out = remplir(page, "/p", &valeurs);
        assert!(
            out.contains(r#"value="b" form="deplacer" checked>"#)
                && !out.contains(r#"value="a" form="deplacer" checked"#),
            "{out}"
        );
        let out = marquer_dans(&out, Some("/p"), &[e("eleves", "cochez-en un"), e("eleves", "au plus 60")]);
        assert_eq!(out.matches(r#"aria-invalid="true""#).count(), 2, "{out}");
        assert_eq!(out.matches(r#"id="erreur-eleves""#).count(), 1, "one message per field: {out}");
        assert!(out.contains("Cochez-en un ; Au plus 60") && out.contains("1 champ à corriger"), "{out}");
    }

    #[test]
    fn names_from_the_api_keys() {
        assert_eq!(nom_enfant("eleve.date_naissance"), "eleve_date_naissance");
        assert_eq!(nom_enfant("responsables[1].tel_portable"), "r2_tel_portable");
        assert_eq!(element("contacts[12].nom"), Some(("contacts", 12, "nom")));
        assert_eq!(element("eleve.nom"), None);
        assert_eq!(nom_enfant("niveau"), "niveau");
    }

    #[test]
    fn a_name_in_text_is_not_a_control() {
        let page = r#"<main><p> name="eleve_nom" </p><form method="post"><input name="eleve_nom"></form></main>"#;
        let out = marquer(page, &[e("eleve_nom", "requis")]);
        assert_eq!(out.matches("aria-invalid").count(), 1, "{out}");
    }
}

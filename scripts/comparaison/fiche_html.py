"""The fiche de renseignements in HTML and CSS, from the same data as the Typst template.

An equivalent of templates/documents/fiche-renseignements.typ for the engines that print HTML
(WeasyPrint, Chromium): the same sections, tables, boxes, fonts (the embedded Noto Sans and
WenQuanYi files, declared with @font-face) and A4 margins. Every value is escaped.
"""

from html import escape
from pathlib import Path

FONTS = Path(__file__).resolve().parents[2] / "fonts"


def _v(x):
    """A stored value, or a grey dash when it is missing (the template's `val`)."""
    if x is None or x == "":
        return '<span class="gris">—</span>'
    return escape(str(x))


def _lignes(xs):
    return None if not xs else "<br>".join(escape(x) for x in xs)


def _oui_non(v):
    oui = "X" if v is True else ""
    non = "X" if v is False else ""
    return (f'<span class="choix"><span class="case">{oui}</span>&nbsp;oui</span>'
            f'<span class="choix"><span class="case">{non}</span>&nbsp;non</span>')


def _a_verifier(lignes):
    rows = "".join(
        f"<tr><td class='lib'>{escape(label)}</td><td>{valeur if brut else _v(valeur)}</td><td></td></tr>"
        for label, valeur, brut in lignes)
    return ("<table class='verif'><thead><tr><th>Renseignement</th><th>Enregistré par l'école</th>"
            f"<th>Correction éventuelle</th></tr></thead><tbody>{rows}</tbody></table>")


def _telephones(t):
    parts = [f"{nom} : {escape(t[cle])}" for cle, nom in
             (("portable", "portable"), ("domicile", "domicile"), ("travail", "travail")) if t.get(cle)]
    return "<br>".join(parts) or None


def _police(famille, fichier, graisse="normal", style="normal"):
    return (f"@font-face {{ font-family: '{famille}'; src: url('{(FONTS / fichier).as_uri()}'); "
            f"font-weight: {graisse}; font-style: {style}; }}")


CSS = "\n".join([
    _police("Noto Sans", "NotoSans-Regular.ttf"),
    _police("Noto Sans", "NotoSans-Bold.ttf", "bold"),
    _police("Noto Sans", "NotoSans-Italic.ttf", style="italic"),
    _police("Noto Sans", "NotoSans-BoldItalic.ttf", "bold", "italic"),
    _police("Noto Sans Arabic", "NotoSansArabic-Regular.ttf"),
    _police("Noto Sans Arabic", "NotoSansArabic-Bold.ttf", "bold"),
    _police("Noto Sans Hebrew", "NotoSansHebrew-Regular.ttf"),
    _police("Noto Sans Hebrew", "NotoSansHebrew-Bold.ttf", "bold"),
    _police("WenQuanYi Micro Hei", "wqy-microhei.ttc"),
]) + """
@page {
  size: A4; margin: 1.5cm 1.8cm 1.8cm 1.8cm;
  @bottom-left { content: "Fiche de renseignements — à vérifier, corriger si besoin, signer et rendre à l'école";
                 font-family: "Noto Sans"; font-size: 7pt; color: #565c6b; border-top: 0.4pt solid #b9bdc9; }
  @bottom-right { content: "Page " counter(page) " / " counter(pages);
                  font-family: "Noto Sans"; font-size: 7pt; color: #565c6b; border-top: 0.4pt solid #b9bdc9; }
}
body { font-family: "Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "WenQuanYi Micro Hei";
       font-size: 10pt; line-height: 1.25; margin: 0; }
.gris { color: #565c6b; }
.entete { display: flex; justify-content: space-between; gap: 1.2em; font-size: 8pt;
          border-bottom: 0.8pt solid #1d2a57; padding-bottom: 0.3em; }
.entete .droite { text-align: right; font-size: 8.5pt; }
.entete .ecole { font-size: 10pt; font-weight: bold; color: #1d2a57; }
.entete .ministere { font-size: 8.5pt; font-weight: bold; letter-spacing: 0.3pt; }
h1 { text-align: center; font-size: 17pt; color: #1d2a57; letter-spacing: 0.6pt; margin: 0.5em 0 0; }
.annee { text-align: center; font-size: 11pt; margin: 0; }
.consigne { text-align: center; font-size: 8.5pt; color: #565c6b; margin: 0.3em 0; }
h2 { font-size: 10pt; color: #1d2a57; background: #f1f2f6; padding: 0.35em 0.5em; margin: 0.6em 0 0.2em; }
h3 { font-size: 9pt; margin: 0.3em 0 0.1em; }
table { width: 100%; border-collapse: collapse; }
td, th { border: 0.5pt solid #b9bdc9; padding: 0.42em 0.45em; vertical-align: top; text-align: left; }
th { font-size: 8pt; color: #565c6b; font-weight: normal; }
thead { display: table-header-group; }
table.verif td.lib { width: 4.2cm; font-size: 8.5pt; }
table.verif td:nth-child(2), table.verif td:nth-child(3) { width: 40%; }
tr { break-inside: avoid; }
.choix { margin-right: 0.8em; white-space: nowrap; }
.case { display: inline-block; width: 0.8em; height: 0.8em; border: 0.6pt solid #1d2a57;
        font-size: 7pt; font-weight: bold; text-align: center; line-height: 0.8em; vertical-align: -0.1em; }
.accord { font-size: 8.5pt; margin: 0.3em 0; break-inside: avoid; }
.grille { display: grid; grid-template-columns: 1fr auto; row-gap: 0.55em; margin-bottom: 0.4em; }
.mentions { font-size: 7.5pt; color: #565c6b; break-inside: avoid; margin-top: 0.5em; }
.signer { display: flex; gap: 1em; font-size: 9pt; color: black; margin-top: 0.6em; height: 2.2cm; }
.signer > div { flex: 1; }
"""


def fiche(data):
    """The whole HTML page of one data file (`{"documents": [...]}`)."""
    pages = []
    for i, f in enumerate(data["documents"]):
        e, ec = f["eleve"], f["ecole"]
        droite = [f"<span class='ecole'>{escape(ec['nom'])}</span>"] + [escape(x) for x in ec["adresse"]]
        if ec.get("telephone"):
            droite.append("Tél. " + escape(ec["telephone"]))
        if ec.get("courriel"):
            droite.append(escape(ec["courriel"]))
        droite.append(f"UAI : <b>{escape(ec['uai'])}</b>")
        s = f["scolarite"]
        niveau = s["niveau"] + (" — " + s["classe"] if s.get("classe") else "")
        h = [f"<section style='{'break-before: right;' if i else ''}'>",
             "<div class='entete'><div><span class='ministere'>ÉDUCATION NATIONALE</span><br>"
             f"{escape(ec['academie'])}<br>Services départementaux — {escape(ec['departement'])}<br>"
             f"Circonscription : {escape(ec['circonscription'])}</div>",
             f"<div class='droite'>{'<br>'.join(droite)}</div></div>",
             f"<h1>FICHE DE RENSEIGNEMENTS</h1><p class='annee'>Année scolaire {escape(f['annee'])}</p>",
             "<p class='consigne'>Merci de vérifier chaque renseignement, d'écrire les corrections dans la "
             "colonne de droite, puis de dater, signer et rendre cette fiche à l'école.</p>",
             "<h2>L'élève</h2>",
             _a_verifier([("Nom de famille", e["nom"], False), ("Nom d'usage", e.get("nom_usage"), False),
                          ("Prénoms", e["prenoms"], False), ("Sexe", e["sexe_libelle"], False),
                          ("Date de naissance", e["date_naissance"], False),
                          ("Lieu de naissance", e.get("lieu_naissance"), False),
                          ("Adresse", _lignes(e.get("adresse")) or _v(None), True),
                          ("Niveau et classe", niveau, False)]),
             "<h2>Responsables légaux</h2>"]
        if not f["responsables"]:
            h.append("<p class='gris'>Aucun responsable enregistré.</p>")
        for n, r in enumerate(f["responsables"], 1):
            h.append(f"<h3>Responsable {n}</h3>")
            h.append(_a_verifier([
                ("Civilité, nom, prénom", r["identite"], False), ("Lien avec l'élève", r.get("lien"), False),
                ("Adresse", _lignes(r.get("adresse")) or _v(None), True),
                ("Téléphones", _telephones(r["telephones"]) or _v(None), True),
                ("Courriel", r.get("courriel"), False),
                ("Exerce l'autorité parentale", "oui" if r["autorite_parentale"] else "non", False)]))
            h.append("<p class='accord'>J'accepte que mon adresse soit communiquée aux associations de "
                     f"parents d'élèves : {_oui_non(r.get('accord_associations'))}</p>")
        if len(f["responsables"]) < 2:
            h.append(f"<h3>Responsable {len(f['responsables']) + 1} (à compléter s'il y a lieu)</h3>")
            h.append(_a_verifier([(x, None, False) for x in (
                "Civilité, nom, prénom", "Lien avec l'élève", "Adresse", "Téléphones", "Courriel",
                "Exerce l'autorité parentale")]))
        h.append("<h2>Personnes à appeler en cas d'urgence ou autorisées à venir chercher l'enfant</h2>")
        if not f["contacts"]:
            h.append("<p class='gris'>Aucune personne enregistrée.</p>")
        else:
            rows = "".join(
                f"<tr><td>{escape(c['identite'])}</td><td>{_v(c.get('lien'))}</td>"
                f"<td>{'<br>'.join(escape(t) for t in c['telephones'])}</td>"
                f"<td>{_oui_non(c['urgence'])}</td><td>{_oui_non(c['recuperer'])}</td></tr>"
                for c in f["contacts"])
            h.append("<table><thead><tr><th>Nom, prénom</th><th style='width:2.6cm'>Lien</th><th>Téléphones</th>"
                     "<th style='width:1.9cm'>Urgence</th><th style='width:1.9cm'>Vient chercher</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
        h.append("<p style='font-size:8.5pt; margin-bottom:1.4cm'>Corrections, ajouts :</p>")
        h.append("<h2>Autorisations, assurance et activités périscolaires (année en cours)</h2>")
        p, a = f["periscolaire"], f.get("assurance")
        choix = [("Photographie de l'enfant dans le cadre des activités scolaires", f["autorisations"].get("photo")),
                 ("Restauration scolaire (cantine)", p["cantine"]), ("Garderie du matin", p["garderie_matin"]),
                 ("Garderie du soir", p["garderie_soir"]), ("Étude surveillée", p["etude"]),
                 ("Transport scolaire", p["transport"])]
        h.append("<div class='grille'>" + "".join(f"<div>{x}</div><div>{_oui_non(v)}</div>" for x, v in choix) + "</div>")
        h.append(_a_verifier([("Assurance scolaire", a["assureur"] if a else None, False),
                              ("N° de contrat", a["numero"] if a else None, False)]))
        h.append(
            "<div class='mentions'><p>Les renseignements de santé (médecin, vaccinations, allergies, PAI) ne sont "
            "pas enregistrés : ils figurent seulement sur la fiche d'urgence, remplie à la main et conservée sous "
            "pli fermé. Vous pouvez consulter l'ensemble des données enregistrées sur votre enfant, demander leur "
            "rectification et vous opposer à leur traitement pour un motif légitime, auprès de la direction de "
            "l'école. Les autorisations, l'assurance et les activités périscolaires sont effacées à la fin de "
            "l'année scolaire ; les autres données, au 31 décembre de l'année où l'élève quitte l'école "
            "primaire.</p><div class='signer'><div>Date : ...................</div>"
            "<div>Signature du ou des responsables légaux :</div></div></div></section>")
        pages.append("".join(h))
    return ("<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Fiche de renseignements</title>"
            f"<style>{CSS}</style></head><body>{''.join(pages)}</body></html>")

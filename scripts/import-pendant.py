#!/usr/bin/env python3
"""One school's ONDE import of N new pupils, run through the API by directeur.2, while
directeur.1 writes (the year's answers of one of its own pupils) one request after another.
Prints the import's pace and how long those writes took (median, p99, longest): what another
school waits behind an import. Used by scripts/charge.

    import-pendant.py BINAIRE BASE PORT LIGNES SECONDES [--essai]

Imports (or dry runs, with --essai) of LIGNES new pupils follow one another for SECONDES (at
least one), each with new names; one still running after SECONDES is cancelled (its report
says where it stopped)."""
import json, re, subprocess, sys, threading, time, urllib.error, urllib.request, uuid

binaire, db, port, lignes, secondes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
essai = "--essai" in sys.argv
base = f"http://127.0.0.1:{port}"
comptes = {a["login"]: a for a in json.load(open(db + ".demo-accounts.json"))}


def connexion(login):
    # A TOTP code serves once: a second login in the same 30 s step waits for the next one.
    for essai in range(3):
        sortie = subprocess.run([binaire, "code-demo", "--db", db, "--login", login], capture_output=True, text=True).stdout
        corps = {"login": login, "mot_de_passe": comptes[login]["mot_de_passe"], "code": re.search(r"\d{6}", sortie).group(0)}
        try:
            r = urllib.request.urlopen(urllib.request.Request(base + "/api/v1/login", method="POST",
                                                              data=json.dumps(corps).encode(),
                                                              headers={"content-type": "application/json"}))
            return {"cookie": r.headers["set-cookie"].split(";")[0], "x-csrf-token": json.load(r)["csrf"]}
        except urllib.error.HTTPError as e:
            if e.code != 401 or essai == 2:
                raise
            time.sleep(31 - time.time() % 30)


def lire(session, chemin):
    return json.load(urllib.request.urlopen(urllib.request.Request(base + chemin, headers=session)))


importeur, ecrivain = connexion("directeur.2"), connexion("directeur.1")
ecole = lire(importeur, "/api/v1/ecoles")[0]["id"]
niveau = lire(importeur, f"/api/v1/ecoles/{ecole}/classes")[0]["niveaux"][0]
eleve = lire(ecrivain, "/api/v1/eleves")[0]["id"]


# New names on every run of the script too.
decalage = int(time.time() * 1000) % (26 ** 3)


def fichier(tour):
    prenoms = ["Lou", "Jade", "Louise", "Emma", "Ambre", "Gabriel", "Léo", "Raphaël", "Louis", "Noah"]
    l = ["Nom élève;Prénom élève;Date naissance;Sexe;Niveau;Libellé classe"]
    for i in range(lignes):
        nom = "".join(chr(65 + (i // 26 ** k) % 26) for k in range(4)) + "".join(chr(65 + ((tour + decalage) // 26 ** k) % 26) for k in range(3))
        l.append(f"CHARGE{nom};{prenoms[i % 10]};{1 + i % 28:02d}/{1 + i % 12:02d}/2019;{'F' if i % 2 else 'M'};{niveau};Charge {1 + i % 10}")
    return ("\n".join(l) + "\n").encode("utf-8")


def importer(tour, echeance):
    limite = f"----registre{uuid.uuid4().hex}"
    corps = (f"--{limite}\r\nContent-Disposition: form-data; name=\"essai\"\r\n\r\n{'true' if essai else 'false'}\r\n"
             f"--{limite}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"eleves.csv\"\r\n"
             f"Content-Type: text/csv\r\n\r\n").encode() + fichier(tour) + f"\r\n--{limite}--\r\n".encode()
    entetes = dict(importeur, **{"content-type": f"multipart/form-data; boundary={limite}"})
    debut = time.time()
    t = json.load(urllib.request.urlopen(urllib.request.Request(base + f"/api/v1/ecoles/{ecole}/import/onde",
                                                                data=corps, headers=entetes, method="POST")))
    annule = False
    while True:
        v = lire(importeur, f"/api/v1/imports/{t['id']}")
        if v["etat"] not in ("en_attente", "en_cours"):
            break
        if time.time() > echeance and not annule:
            urllib.request.urlopen(urllib.request.Request(base + f"/api/v1/imports/{t['id']}/annulation", data=b"",
                                                          headers=importeur, method="POST"))
            annule = True
        time.sleep(0.2)
    assert v["etat"] in ("termine", "annule"), v
    return time.time() - debut, v["rapport"]


attentes, fin = [], threading.Event()


def ecrire():
    n = 0
    entetes = dict(ecrivain, **{"content-type": "application/json"})
    while not fin.is_set():
        n += 1
        corps = json.dumps({"assureur": f"PENDANT L'IMPORT {n}"}).encode()
        debut = time.perf_counter()
        r = urllib.request.urlopen(urllib.request.Request(base + f"/api/v1/eleves/{eleve}/annuel", data=corps,
                                                          headers=entetes, method="PUT"))
        assert r.status == 200
        attentes.append(time.perf_counter() - debut)
        time.sleep(0.02)


fil = threading.Thread(target=ecrire)
fil.start()
debut, tour = time.time(), 0
while tour == 0 or time.time() - debut < secondes:
    d, r = importer(tour, debut + secondes)
    tour += 1
    faites = r["lignes_traitees"]
    arret = f", arrêté après {faites} lignes sur {lignes}" if r["interrompu"] else ""
    print(f"{'essai' if essai else 'import'} de {lignes} lignes : {faites} lignes en {d:.1f} s ({faites / d:.0f} lignes/s){arret} : "
          f"{r['eleves_crees']} élèves créés, {r['refusees']} refusées", file=sys.stderr)
fin.set()
fil.join()
attentes.sort()
p = lambda q: attentes[min(len(attentes) - 1, int(q * len(attentes)))] * 1000
print(f"écritures d'une autre école pendant {'les essais' if essai else 'les imports'} : {len(attentes)}, "
      f"p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, la plus longue {attentes[-1] * 1000:.0f} ms", file=sys.stderr)

"""Side-by-side measurement of the fiche de renseignements (issue 14), run by scripts/comparaison/lancer.

Every engine prints the same school's fiches from the same data (the files `registre bench
--comparaison` wrote): registre itself (`registre render --ecole … -o x.zip`, the whole process
timed), the Typst CLI once per document on the same template and JSON, the Typst Python binding
(a warm compiler per worker), WeasyPrint and headless Chromium (warm, through chromedriver) on an
equivalent HTML fiche; the floor (Typst's compile and export alone, in a loop) comes from the
bench. Each engine gets every core: the per-document ones run one worker per core.

Peak memory is the largest sum of the proportional resident memory (PSS: pages shared between
processes counted once) of this script's child processes, sampled every 20 ms; for registre, a
single process, the kernel's own peak is taken when larger.
"""

import argparse
import base64
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ICI = Path(__file__).resolve().parent
RACINE = ICI.parents[1]
sys.path.insert(0, str(ICI))
import fiche_html  # noqa: E402

GABARITS = RACINE / "templates" / "documents"
POLICES = RACINE / "fonts"
COEURS = os.cpu_count() or 1


class Echantillonneur:
    """The peak of the summed resident memory of this process's descendants."""

    def __init__(self):
        self.pic = 0
        self._fin = threading.Event()
        self._fil = threading.Thread(target=self._boucle, daemon=True)

    def __enter__(self):
        self._fil.start()
        return self

    def __exit__(self, *_):
        self._fin.set()
        self._fil.join()

    def _boucle(self):
        moi = os.getpid()
        while not self._fin.is_set():
            parents = {}
            for d in os.listdir("/proc"):
                if d.isdigit():
                    try:
                        with open(f"/proc/{d}/stat") as f:
                            parents[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
                    except (OSError, IndexError, ValueError):
                        continue

            def descend(p):
                while p > 1:
                    p = parents.get(p, 0)
                    if p == moi:
                        return True
                return False

            total = 0
            for p in parents:
                if p != moi and descend(p):
                    total += pss(p)
            self.pic = max(self.pic, total)
            self._fin.wait(0.02)


def pss(pid):
    """Proportional set size in bytes: shared pages (Chromium's processes share many) counted once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for ligne in f:
                if ligne.startswith("Pss:"):
                    return int(ligne.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def racine_de_travail(dossier, k):
    """A folder per worker holding the templates, where `data.json` is written before each document."""
    r = dossier / "travail" / f"racine-{k}"
    if r.exists():
        shutil.rmtree(r)
    shutil.copytree(GABARITS, r)
    return r


def par_fils(travail, taches, fils=COEURS):
    """Runs `travail(worker, tache)` over every task with `fils` workers."""
    file = list(reversed(taches))
    verrou = threading.Lock()

    def boucle(k):
        while True:
            with verrou:
                if not file:
                    return
                t = file.pop()
            travail(k, t)

    with ThreadPoolExecutor(fils) as ex:
        for f in [ex.submit(boucle, k) for k in range(fils)]:
            f.result()


# --- registre ---------------------------------------------------------------------------------

def registre(args, fichiers, sorties):
    zip_ = sorties / "registre.zip"
    debut = time.perf_counter()
    p = subprocess.Popen([args.registre, "render", "fiche-renseignements", "--db", args.db, "--ecole", args.ecole,
                          "-o", zip_], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, statut, usage = os.wait4(p.pid, 0)
    duree = time.perf_counter() - debut
    if statut != 0:
        raise SystemExit(f"registre render a échoué : {p.stderr.read().decode()}")
    import zipfile
    with zipfile.ZipFile(zip_) as z:
        pdfs = [x for x in z.namelist() if x.endswith(".pdf")]  # in print order
        n = len(pdfs)
        texte = z.read(pdfs[0])
    (sorties / "registre-0001.pdf").write_bytes(texte)
    return n, duree, usage.ru_maxrss * 1024


# --- Typst CLI, once per document -------------------------------------------------------------

def typst_cli(args, fichiers, sorties, systeme=False):
    """`systeme`: as the CLI is usually called, the machine's fonts indexed too (each call)."""
    nom = "typst-cli-systeme" if systeme else "typst-cli"
    racines = [racine_de_travail(Path(args.dossier), f"{nom}-{k}") for k in range(COEURS)]
    polices = [] if systeme else ["--ignore-system-fonts"]

    def un(k, tache):
        i, f = tache
        shutil.copyfile(f, racines[k] / "data.json")
        subprocess.run([args.typst, "compile", "--root", racines[k], "--font-path", POLICES, *polices,
                        racines[k] / "fiche-renseignements.typ", sorties / f"{nom}-{i:04}.pdf"], check=True,
                       stdout=subprocess.DEVNULL)

    debut = time.perf_counter()
    par_fils(un, list(enumerate(fichiers, 1)))
    return len(fichiers), time.perf_counter() - debut, None


# --- Python workers (Typst binding, WeasyPrint) -----------------------------------------------

_etat = {}


def _init_typst(racines, file):
    import typst
    racine = racines[file.get()]
    _etat["racine"] = racine
    _etat["compilateur"] = typst.Compiler(root=str(racine), font_paths=[str(POLICES)], ignore_system_fonts=True)


def _typst_py(tache):
    i, f, sortie = tache
    r = _etat["racine"]
    shutil.copyfile(f, r / "data.json")
    _etat["compilateur"].compile(input=str(r / "fiche-renseignements.typ"), output=str(sortie), format="pdf")
    return i


def _init_weasy():
    import weasyprint  # noqa: F401 (imported once per worker: warm)


def _weasy(tache):
    from weasyprint import HTML
    i, f, sortie = tache
    with open(f) as fh:
        donnees = json.load(fh)
    HTML(string=fiche_html.fiche(donnees), base_url=str(RACINE)).write_pdf(str(sortie))
    return i


def pool(args, fichiers, sorties, nom, init, initargs, fonction):
    ctx = multiprocessing.get_context("fork")
    taches = [(i, str(f), sorties / f"{nom}-{i:04}.pdf") for i, f in enumerate(fichiers, 1)]
    with ctx.Pool(COEURS, initializer=init, initargs=initargs) as p:
        # Warm: each worker prints one document before the clock starts.
        p.map(fonction, [(0, str(fichiers[0]), sorties / f"{nom}-chauffe-{k}.pdf") for k in range(COEURS)], chunksize=1)
        debut = time.perf_counter()
        p.map(fonction, taches, chunksize=1)
        return len(fichiers), time.perf_counter() - debut, None


def typst_py(args, fichiers, sorties):
    file = multiprocessing.get_context("fork").Queue()
    racines = [racine_de_travail(Path(args.dossier), f"py-{k}") for k in range(COEURS)]
    for k in range(COEURS):
        file.put(k)
    return pool(args, fichiers, sorties, "typst-py", _init_typst, (racines, file), _typst_py)


def weasyprint(args, fichiers, sorties):
    return pool(args, fichiers, sorties, "weasyprint", _init_weasy, (), _weasy)


# --- Chromium, warm, through chromedriver ------------------------------------------------------

def _appel(url, corps=None, methode="POST"):
    req = urllib.request.Request(url, data=None if corps is None else json.dumps(corps).encode(), method=methode,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["value"]


def chromium(args, fichiers, sorties):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    pilote = subprocess.Popen([args.chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _appel(f"{base}/status", methode="GET")
                break
            except OSError:
                time.sleep(0.1)
        options = {"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}
        if args.chromium:
            options["binary"] = args.chromium
        sessions = [_appel(f"{base}/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})
                    ["sessionId"] for _ in range(COEURS)]
        pages = Path(args.dossier) / "travail" / "html"
        pages.mkdir(parents=True, exist_ok=True)
        impression = {"page": {"width": 21.0, "height": 29.7}, "margin": {"top": 1.5, "bottom": 1.8, "left": 1.8,
                                                                          "right": 1.8}, "background": True}

        def un(k, tache):
            i, f = tache
            with open(f) as fh:
                html = fiche_html.fiche(json.load(fh))
            page = pages / f"{k}.html"
            page.write_text(html)
            _appel(f"{base}/session/{sessions[k]}/url", {"url": page.as_uri()})
            pdf = _appel(f"{base}/session/{sessions[k]}/print", impression)
            (sorties / f"chromium-{i:04}.pdf").write_bytes(base64.b64decode(pdf))

        for k in range(COEURS):  # warm: one print per browser before the clock starts
            un(k, (0, fichiers[0]))
        debut = time.perf_counter()
        par_fils(un, list(enumerate(fichiers, 1)))
        duree = time.perf_counter() - debut
        for sid in sessions:
            _appel(f"{base}/session/{sid}", methode="DELETE")
        return len(fichiers), duree, None
    finally:
        pilote.terminate()
        pilote.wait()


def texte(pdf):
    return subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout


def main():
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("--registre", required=True)
    a.add_argument("--db", required=True)
    a.add_argument("--dossier", required=True, help="où `registre bench --comparaison` a écrit les données")
    a.add_argument("--typst", required=True)
    a.add_argument("--chromedriver", required=True)
    a.add_argument("--chromium")
    a.add_argument("--moteurs", default="registre,typst-cli,typst-cli-systeme,typst-py,weasyprint,chromium")
    args = a.parse_args()
    dossier = Path(args.dossier).resolve()
    args.dossier = str(dossier)
    fichiers = sorted((dossier / "donnees").glob("*.json"))
    args.ecole = (dossier / "ecole.txt").read_text().strip()
    plancher = json.loads((dossier / "plancher.json").read_text())
    sorties = dossier / "sorties"
    shutil.rmtree(sorties, ignore_errors=True)
    sorties.mkdir()
    moteurs = {
        "registre": ("registre (ZIP, processus entier)", registre),
        "typst-cli": ("CLI Typst 0.15.1, un appel par document", typst_cli),
        "typst-cli-systeme": ("la même, polices du système indexées aussi (son usage par défaut)",
                              lambda a, f, s: typst_cli(a, f, s, systeme=True)),
        "typst-py": ("Typst en Python (typst-py 0.15.2), compilateur chaud", typst_py),
        "weasyprint": ("WeasyPrint 70 (HTML équivalent), chaud", weasyprint),
        "chromium": ("Chromium sans tête (HTML équivalent), chaud", chromium),
    }
    print(f"{len(fichiers)} fiches de l'école {args.ecole}, {COEURS} cœur(s).", flush=True)
    resultats = {}
    for cle in args.moteurs.split(","):
        nom, f = moteurs[cle]
        with Echantillonneur() as e:
            n, duree, pic_noyau = f(args, fichiers, sorties)
        pic = max(e.pic, pic_noyau or 0)
        resultats[cle] = (nom, n, duree, pic)
        print(f"  {nom} : {n} documents en {duree:.1f} s, {n / duree:.1f} documents/s, pic {pic / 2**20:.0f} Mio",
              flush=True)
    # Each engine printed the right pupil: the first fiche's name is in its text.
    premier = json.loads(fichiers[0].read_text())["documents"][0]["eleve"]
    for cle in resultats:
        pdf = sorties / f"{cle}-0001.pdf"
        if premier["nom"] not in texte(pdf):
            raise SystemExit(f"{cle} : le nom de la première fiche manque dans {pdf}")
    nom_dernier = json.loads(fichiers[-1].read_text())["documents"][0]["eleve"]["nom"]
    for cle in resultats:
        if cle != "registre" and nom_dernier not in texte(sorties / f"{cle}-{len(fichiers):04}.pdf"):
            raise SystemExit(f"{cle} : le nom de la dernière fiche manque")

    debit = {c: r[1] / r[2] for c, r in resultats.items()}
    plancher_debit = plancher["documents"] / plancher["secondes"]
    objectifs = {"typst-cli": 10.0, "weasyprint": 50.0}
    lignes = ["| moteur | documents | durée | documents/s | registre ÷ moteur | pic de mémoire | objectif |",
              "|---|---|---|---|---|---|---|"]
    for cle, (nom, n, duree, pic) in resultats.items():
        rapport = debit["registre"] / debit[cle] if "registre" in debit else float("nan")
        obj = ""
        if cle in objectifs:
            obj = f"≥ {objectifs[cle]:.0f}× : {'atteint' if rapport >= objectifs[cle] else 'non atteint'}"
        lignes.append(f"| {nom} | {n} | {duree:.1f} s | {debit[cle]:.1f} | {rapport:.2f}× | {pic / 2**20:.0f} Mio | {obj} |")
    if "registre" in debit:
        r = debit["registre"] / plancher_debit
        lignes.append(f"| plancher : compilation et export Typst seuls, en boucle, données en mémoire | "
                      f"{plancher['documents']} | {plancher['secondes']:.1f} s | {plancher_debit:.1f} | {r:.2f}× | "
                      f"{(plancher['pic_kio'] or 0) / 1024:.0f} Mio | registre ≥ plancher ÷ 1,3 : "
                      f"{'atteint' if r >= 1 / 1.3 else 'non atteint'} |")
    tableau = "\n".join(lignes)
    print()
    print(tableau)
    (dossier / "resultats.md").write_text(tableau + "\n")


if __name__ == "__main__":
    main()

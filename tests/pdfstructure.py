"""Prints, as JSON, what a PDF read on stdin says to assistive technology: whether viewers are
asked to display its title (ViewerPreferences /DisplayDocTitle), its title, and the roles of its
structure tree, in document order (H1, H2, P, Table…). Used by the tests (pypdf, installed by
scripts/outils)."""
import io
import json
import sys

import pypdf

reader = pypdf.PdfReader(io.BytesIO(sys.stdin.buffer.read()))
root = reader.trailer["/Root"]
preferences = root.get("/ViewerPreferences")
preferences = preferences.get_object() if preferences is not None else {}
roles = []


def walk(node, depth=0):
    if depth > 200:
        return
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list) or isinstance(node, pypdf.generic.ArrayObject):
        for k in node:
            walk(k, depth + 1)
        return
    if not isinstance(node, dict):
        return
    role = node.get("/S")
    if role is not None:
        roles.append(str(role).lstrip("/"))
    kids = node.get("/K")
    if kids is not None:
        walk(kids, depth + 1)


tree = root.get("/StructTreeRoot")
if tree is not None:
    walk(tree.get_object().get("/K"))
info = reader.metadata or {}
json.dump(
    {
        "display_doc_title": bool(preferences.get("/DisplayDocTitle", False)),
        "titre": str(info.get("/Title", "")),
        "roles": roles,
    },
    sys.stdout,
)

"""Prints the text layer of the PDF read on stdin, page after page, in logical order.

Used by the tests to check that names print *exactly*: pdftotext infers spaces from glyph
positions and drops the one at a left-to-right / right-to-left boundary, whereas pypdf reads
the characters the PDF actually holds. Installed by .ci/run (pip install pypdf).
"""
import io
import sys

import pypdf

reader = pypdf.PdfReader(io.BytesIO(sys.stdin.buffer.read()))
for page in reader.pages:
    sys.stdout.write(page.extract_text())
    sys.stdout.write("\n")

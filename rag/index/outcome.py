"""Why an add skipped a file, and what its warnings say, as codes a reply in another
language can be made from (`rag.index.identity.outcome`); the English words stay beside them.
"""

from __future__ import annotations

import re
import sys

#: Why a file is skipped (`Plan.skips`): the same issue as an indexed file, as the indexed
#: file of that name (the same bytes), or as another file of this add; or it cannot be read.
REASONS = ("duplicate", "already_indexed", "duplicate_in_add", "too_large", "empty", "binary",
           "encoding", "no_chinese", "scanned_pdf", "encrypted_pdf", "damaged_pdf", "unreadable")
_UNREADABLE = (("MAX_FILE_MB", "too_large"), ("empty file", "empty"), ("binary file", "binary"),
               ("not UTF-8", "encoding"), ("no Chinese text", "no_chinese"))


def unreadable_reason(err: Exception) -> str:
    """The REASONS code of an error `Parser.parse` raised (the messages of rag.ingest.read)."""
    pdf = sys.modules.get("rag.ingest.pdf")  # loaded if a PDF was read; pdfplumber is slow
    if pdf is not None and isinstance(err, pdf.PdfError):
        return {pdf.ScannedPdfError: "scanned_pdf", pdf.EncryptedPdfError: "encrypted_pdf",
                pdf.DamagedPdfError: "damaged_pdf"}.get(type(err), "unreadable")
    message = str(err)
    return next((code for text, code in _UNREADABLE if text in message), "unreadable")


#: What a warning about an added file says (`note`), from the words rag.ingest gives it.
_NOTES = ((re.compile(r"no issue number printed"), "no_number"),
          (re.compile(r"no article found"), "no_articles"),
          (re.compile(r"^(number|date|pages) .* differs from"), "manifest_differs"),
          (re.compile(r"^issue \d+ also claimed by (.+); both kept"), "number_claimed"))


def note(source: str, text: str, code: str | None = None, other: str | None = None) -> dict:
    """A warning about an added file as data: {file, code, other, detail}. `other` is the
    file that claims the same number (number_claimed), the field the manifest gives
    otherwise (manifest_differs: number, date or pages) or the indexed file of the same name
    (beside_namesake); `code` is None for words this table does not know (see `detail`)."""
    for pattern, known in _NOTES if code is None else ():
        found = pattern.search(text)
        if found:
            code = known
            other = found.group(1) if found.groups() else None
            break
    return {"file": source, "code": code, "other": other, "detail": text}

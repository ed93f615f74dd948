"""Docs in and out of the pipeline: the input doc of a body, and its mentions as plain records
(the mention part of the file contract in docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .doctext import remember_text
from .loader import span_offsets, span_text


def make_doc(nlp: Language, body: str, published: str | None = None, title: str | None = None) -> Doc:
    """The unprocessed doc of a body; the publication date lets day-month dates get their year,
    the headline (no mentions are taken from it) tells what the page is about."""
    doc = nlp.make_doc(body)
    remember_text(doc, body)
    if published:
        doc._.published = published  # ISO string: extension values must be serialisable
    if title:
        doc._.title = title
    return doc


def mention_record(doc: Doc) -> dict[str, Any]:
    """Every mention of a processed doc, in the file contract's shape, offsets into its text."""
    dates = []
    for span in doc.spans["dates"]:
        start, end = span_offsets(span)
        for value, inferred, range_part in span._.dates:
            item = {"text": span_text(span), "value": value, "start": start, "end": end}
            if inferred:
                item["inferred"] = True
            if range_part:
                item["range"] = range_part
            dates.append(item)
    return {
        "dates": dates,
        "bodies": [{"text": s.text, "name": s._.name, "start": s.start_char, "end": s.end_char}
                   for s in doc.spans["bodies"]],
        "addresses": [{"text": span_text(s), "street": s._.street, "street_norm": s._.street_norm,
                       "number": s._.number, "start": span_offsets(s)[0], "end": span_offsets(s)[1]}
                      for s in doc.spans["addresses"]],
        "districts": [{"text": span_text(s), "name": s._.district,
                       "start": span_offsets(s)[0], "end": span_offsets(s)[1]} for s in doc.spans["districts"]],
        "persons": [{"name": s._.person, "role": s._.role, "role_of": s._.role_of, "start": s.start_char,
                     "end": s.end_char} for s in doc.spans["persons"]],
        "action_fields": list(doc._.action_fields),
        "integration": bool(doc._.integration),
    }

"""The keyword decision of integration and action fields, shared by the extraction pipeline
(pipeline/nlp/action_fields.py, over spaCy lemmas) and the classifier's keyword baseline
(models/keywords.py, over folded words): one rule, two ways of finding the terms.

The inputs are sentence indices per lexicon; the headline, when the page shows one, is one
more sentence. Its settings come from the taxonomy file (`min_score`, `field_share`,
`short_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass


@dataclass(frozen=True)
class IntegrationRule:
    """Is a text about integration, and which action fields does it discuss?

    * integration: each sentence with a strong term scores 2, one with only weak terms 1; the
      text is about integration from `min_score` on — or, in a short text (at most
      `short_text` sentences, headline included: a notice, a council item, a two-paragraph
      release), from 2 on when the headline names integration or the text speaks of one of
      its fields: one strong sentence of five is a main part of it, but a refugee family
      rescued from a fire is still a fire.
    * a field counts when it is talked about in at least two sentences and in at least
      `field_share` of the strongest field's. In a short text (where a sentence is a paragraph)
      one sentence is enough when it is the headline or itself speaks of integration: the job
      centre in the same building, the school hall as a venue are not what the text is about.
      A text about integration may have no field (a naturalisation notice, an election).
    """

    min_score: int = 3
    field_share: float = 0.4
    short_text: int = 6

    @classmethod
    def from_settings(cls, concept: Mapping) -> IntegrationRule:
        """From a taxonomy file's top level (its `[integration]` section holds `min_score`)."""
        section = concept.get("integration", {})
        return cls(min_score=int(section.get("min_score", section.get("min_hits", 3))),
                   field_share=float(concept.get("field_share", 0.4)),
                   short_text=int(concept.get("short_text", 6)))

    def decide(self, strong: Set[int], weak: Set[int], fields: Mapping[str, Set[int]],
               sentences: int, headline: int | None = None,
               order: Sequence[str] = ()) -> tuple[bool, list[str]]:
        """(about integration, its fields in `order`) from the sentences each lexicon matched in;
        `headline` is the headline's sentence index when the text has one."""
        short = sentences <= self.short_text
        score = 2 * len(strong) + len(set(weak) - set(strong))
        counts = {field: len(found) for field, found in fields.items() if found}
        anchored = (headline is not None and (headline in strong or headline in weak)) or bool(counts)
        integration = score >= self.min_score or (short and anchored and score >= min(2, self.min_score))
        if not integration:
            return False, []
        if not counts:
            return True, []
        top = max(counts.values())
        about = set(strong) | set(weak)
        if headline is not None:
            about.add(headline)
        chosen = [f for f, n in counts.items() if n >= self.field_share * top
                  and (n >= 2 or (short and bool(fields[f] & about)))]
        rank = {field: i for i, field in enumerate(order)}
        return True, sorted(chosen, key=lambda f: rank.get(f, len(rank)))


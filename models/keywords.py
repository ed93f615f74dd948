"""The keyword-rule baseline: the taxonomy's term lists and nothing learnt.

The same rule the extraction pipeline applies (core/integration_rule.py), over folded words
instead of spaCy lemmas, the title as one more sentence: a sentence with a strong integration
term scores 2, one with only weak terms 1, and a document is about integration from the
taxonomy's `min_score` on (from 2 in a short text). An action field counts when it is talked
about in at least two sentences (one in a short text) and in at least `field_share` of the
strongest field's. The topic is the one whose terms occur most often.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .corpus import Document
from .predictions import Predictions
from .taxonomy import INTEGRATION, STRONG, WEAK, Taxonomy, TermMatcher
from .text import sentences


class KeywordRules:
    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.matcher = TermMatcher(taxonomy.lexicons())
        self.fields = taxonomy.labels("action_field")
        self.topics = taxonomy.labels("topic")
        self.rule = taxonomy.rule

    def decide(self, document: Document) -> tuple[bool, list[str], str]:
        found = self.matcher.sentence_sets(document.text)
        integration, fields = self.rule.decide(
            found[STRONG], found[WEAK] | found[STRONG], {f: found[f"field:{f}"] for f in self.fields},
            len(sentences(document.text)), order=self.fields)
        counts = self.matcher.counts(document.text)
        hits = [counts[f"topic:{t}"] for t in self.topics]
        topic = self.topics[int(np.argmax(hits))] if max(hits) else self.taxonomy.topic_fallback
        return integration, fields, topic

    def predict(self, documents: Sequence[Document]) -> Predictions:
        n = len(documents)
        integration = np.zeros((n, 1), dtype=bool)
        fields = np.zeros((n, len(self.fields)), dtype=bool)
        topics = np.zeros((n, len(self.topics)), dtype=bool)
        for row, document in enumerate(documents):
            is_int, field_ids, topic = self.decide(document)
            integration[row, 0] = is_int
            for f in field_ids:
                fields[row, self.fields.index(f)] = True
            topics[row, self.topics.index(topic)] = True
        assigned = {"integration": integration, "action_field": fields, "topic": topics}
        return Predictions(
            labels={"integration": [INTEGRATION], "action_field": list(self.fields), "topic": list(self.topics)},
            scores={k: v.astype(float) for k, v in assigned.items()},
            assigned=assigned,
        )

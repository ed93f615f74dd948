"""The classifier's features: TF-IDF over word stems and character n-grams, plus keyword counts.

Views of one folded, tokenised text (see text.py):

* word uni- and bigrams of stems, stop words removed — what a document is about;
* character 3–5-grams inside word boundaries — compounds and spelling variants
  ("Sprachkursangebot" shares "sprach", "kurs" with "Sprachkurs");
* log-scaled counts of the taxonomy's keyword lexicons — the rule-based mentions. They come
  from `Document.mentions` when the extraction pipeline supplies them, else from our own
  TermMatcher over the same terms.

Saved models hold only stock scikit-learn objects, numpy arrays and built-in types (no
callables), so skops loads them without trusting anything extra.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .corpus import Document
from .taxonomy import TermMatcher
from .text import fold_words, stem

WORD_PREFIX, CHAR_PREFIX, MENTION_PREFIX = "w:", "c:", "m:"


@lru_cache(maxsize=500_000)
def cached_stem(word: str) -> str:
    # German press text reuses a small vocabulary; caching makes stemming nearly free.
    return stem(word)


def char_wb_grams(word: str, low: int, high: int) -> list[str]:
    """The character n-grams scikit-learn's analyzer="char_wb" takes from one word."""
    padded = f" {word} "
    grams = []
    for n in range(low, high + 1):
        offset = 0
        grams.append(padded[offset:offset + n])
        while offset + n < len(padded):
            offset += 1
            grams.append(padded[offset:offset + n])
        if offset == 0:  # a word shorter than n counts once, as in scikit-learn
            break
    return grams


def _type_matrix(token_lists: Sequence[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    """Documents × word types, counts; the types in first-seen order."""
    types: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for tokens in token_lists:
        for token, count in Counter(tokens).items():
            indices.append(types.setdefault(token, len(types)))
            data.append(count)
        indptr.append(len(indices))
    matrix = sp.csr_matrix((np.array(data, np.float64), np.array(indices, np.int64), np.array(indptr, np.int64)),
                           shape=(len(token_lists), len(types)))
    return matrix, list(types)


class CharNgrams:
    """TF-IDF over char_wb n-grams, as TfidfVectorizer(analyzer="char_wb", sublinear_tf=True).

    A document's char_wb counts are the sum over its words of each word's n-gram counts, so
    they are computed as (documents × word types) @ (word types × n-grams) and n-grams are cut
    once per distinct word, not once per occurrence: the same numbers, many times faster.
    """

    def __init__(self, ngram_range: Sequence[int], min_df: int, max_df: float, max_features: int | None,
                 grams: Sequence[str] | None = None, idf: np.ndarray | None = None):
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.min_df, self.max_df, self.max_features = min_df, max_df, max_features
        self.grams = list(grams) if grams is not None else []
        self.idf = idf
        self._index = {g: i for i, g in enumerate(self.grams)}
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def state(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "min_df": self.min_df, "max_df": self.max_df,
                "max_features": self.max_features, "grams": list(self.grams), "idf": self.idf}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CharNgrams:
        return cls(state["ngram_range"], state["min_df"], state["max_df"], state["max_features"],
                   state["grams"], np.asarray(state["idf"], dtype=np.float64))

    def fit_transform(self, token_lists: Sequence[list[str]]) -> sp.csr_matrix:
        types_matrix, types = _type_matrix(token_lists)
        all_grams: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        for word in types:
            for gram, count in Counter(char_wb_grams(word, *self.ngram_range)).items():
                indices.append(all_grams.setdefault(gram, len(all_grams)))
                data.append(count)
            indptr.append(len(indices))
        per_type = sp.csr_matrix((np.array(data, np.float64), np.array(indices, np.int64),
                                  np.array(indptr, np.int64)), shape=(len(types), len(all_grams)))
        counts = (types_matrix @ per_type).tocsc()
        names = np.array(list(all_grams), dtype=object)
        order = np.argsort(names, kind="stable")          # alphabetical, as scikit-learn sorts features
        counts, names = counts[:, order], names[order]
        df = np.diff(counts.indptr)
        keep = (df >= self.min_df) & (df <= self.max_df * counts.shape[0])
        if self.max_features is not None and keep.sum() > self.max_features:
            totals = np.asarray(counts.sum(axis=0)).ravel()
            candidates = np.flatnonzero(keep)
            best = candidates[np.argsort(-totals[candidates], kind="stable")[:self.max_features]]
            keep = np.zeros_like(keep)
            keep[best] = True
        columns = np.flatnonzero(keep)
        self.grams = [str(g) for g in names[columns]]
        self._index = {g: i for i, g in enumerate(self.grams)}
        self._rows = {}
        n_docs = counts.shape[0]
        self.idf = np.log((1 + n_docs) / (1 + df[columns])) + 1.0
        return self._weigh(counts[:, columns].tocsr())

    def transform(self, token_lists: Sequence[list[str]]) -> sp.csr_matrix:
        types_matrix, types = _type_matrix(token_lists)
        indptr, indices, data = [0], [], []
        for word in types:
            columns, counts = self._row(word)
            indices.extend(columns)
            data.extend(counts)
            indptr.append(len(indices))
        per_type = sp.csr_matrix((np.array(data, np.float64), np.array(indices, np.int64),
                                  np.array(indptr, np.int64)), shape=(len(types), len(self.grams)))
        return self._weigh((types_matrix @ per_type).tocsr())

    def _row(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._rows.get(word)
        if cached is None:
            counted = Counter(self._index[g] for g in char_wb_grams(word, *self.ngram_range) if g in self._index)
            cached = (np.fromiter(counted.keys(), np.int64, len(counted)),
                      np.fromiter(counted.values(), np.float64, len(counted)))
            if len(self._rows) < 1_000_000:
                self._rows[word] = cached
        return cached

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts.sort_indices()
        counts.data = 1.0 + np.log(counts.data)                 # sublinear tf
        weighted = counts @ sp.diags(self.idf) if self.grams else counts
        return normalize(weighted, norm="l2", copy=False).astype(np.float32)


def new_word_vectorizer(config: dict[str, Any]) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word", token_pattern=r"\S+", lowercase=False, ngram_range=tuple(config["word_ngrams"]),
        min_df=config["min_df"], max_df=0.9, max_features=config["word_max_features"],
        sublinear_tf=True, dtype=np.float32,
    )


def new_char_ngrams(config: dict[str, Any]) -> CharNgrams:
    return CharNgrams(config["char_ngrams"], config["min_df"], 0.9, config["char_max_features"])


class FeatureBuilder:
    """Turns documents into one sparse matrix: [word tf-idf | char tf-idf | keyword counts]."""

    def __init__(self, word: TfidfVectorizer, char: CharNgrams, stopwords: Sequence[str],
                 lexicons: dict[str, list[str]], char_weight: float, mention_weight: float):
        self.word, self.char = word, char
        self.stopwords = frozenset(stopwords)
        self.lexicon_names = list(lexicons)
        self.matcher = TermMatcher(lexicons)
        self.char_weight, self.mention_weight = char_weight, mention_weight

    def views(self, documents: Sequence[Document]) -> tuple[list[str], list[list[str]], np.ndarray]:
        words, tokens_per_doc = [], []
        counts = np.zeros((len(documents), len(self.lexicon_names)), dtype=np.float32)
        for row, document in enumerate(documents):
            tokens = fold_words(document.text)
            tokens_per_doc.append(tokens)
            words.append(" ".join(cached_stem(w) for w in tokens if len(w) > 1 and w not in self.stopwords))
            if document.mentions is not None:
                counts[row] = [document.mentions.get(name, 0) for name in self.lexicon_names]
            else:
                counts[row] = self.matcher.count_tokens(tokens)
        return words, tokens_per_doc, counts

    def fit_transform(self, documents: Sequence[Document]) -> sp.csr_matrix:
        words, tokens, counts = self.views(documents)
        return self._stack(self.word.fit_transform(words), self.char.fit_transform(tokens), counts)

    def transform(self, documents: Sequence[Document]) -> sp.csr_matrix:
        words, tokens, counts = self.views(documents)
        return self._stack(self.word.transform(words), self.char.transform(tokens), counts)

    def _stack(self, words: sp.spmatrix, chars: sp.spmatrix, counts: np.ndarray) -> sp.csr_matrix:
        mentions = sp.csr_matrix(np.log1p(counts) * self.mention_weight)
        return sp.hstack([words, chars * self.char_weight, mentions], format="csr", dtype=np.float32)

    def feature_names(self) -> list[str]:
        return ([WORD_PREFIX + t for t in self.word.get_feature_names_out()]
                + [CHAR_PREFIX + g for g in self.char.grams]
                + [MENTION_PREFIX + n for n in self.lexicon_names])

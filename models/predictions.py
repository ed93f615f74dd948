"""What a classifier (or the keyword baseline) says about a batch of documents."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Predictions:
    """Scores and assignments for a batch: per label set an (n_docs × n_labels) array each."""

    labels: dict[str, list[str]]
    scores: dict[str, np.ndarray]
    assigned: dict[str, np.ndarray]

    def for_document(self, row: int) -> dict[str, dict[str, tuple[float, bool]]]:
        return {ls: {label: (float(self.scores[ls][row, j]), bool(self.assigned[ls][row, j]))
                     for j, label in enumerate(self.labels[ls])} for ls in self.labels}

    def assigned_labels(self, row: int) -> dict[str, list[str]]:
        return {ls: [label for j, label in enumerate(self.labels[ls]) if self.assigned[ls][row, j]]
                for ls in self.labels}

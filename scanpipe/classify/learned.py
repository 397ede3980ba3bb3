"""A document-kind model learned from the labels people confirmed.

Character n-grams (2-4, within words) over ``normalise_for_search`` text:
OCR breaks words in many small ways (a lost matra, ``o`` for ``०``), and most
n-grams of a damaged word survive, where a word-level model would lose the
whole word. Logistic regression gives calibrated-enough probabilities to
use as confidences, trains in well under a second on thousands of pages, and
is small, so it is retrained from the registry's confirmed labels at start
instead of being stored (a stored pickle would be code to trust).

scikit-learn is imported only when there is something to train on, so a
registry without confirmed labels never pays its import time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanpipe.text import normalise_for_search

MIN_EXAMPLES = 6  # fewer confirmed pages than this: no model
MIN_PER_CLASS = 2  # a kind needs this many examples to be learned


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    reason: str


class DocTypeModel:
    """Wraps a fitted scikit-learn pipeline; build with ``train``."""

    def __init__(self, pipeline: Any, n_examples: int, classes: Sequence[str]) -> None:
        self._pipeline = pipeline
        self.n_examples = n_examples
        self.classes = tuple(classes)

    @classmethod
    def train(cls, examples: Sequence[tuple[str, str]]) -> DocTypeModel | None:
        """Fit on ``(text, label)`` pairs; None when there is too little to learn from.

        Kinds with fewer than ``MIN_PER_CLASS`` examples are left out rather
        than learned from one page; at least two kinds must remain.
        """
        counts = Counter(label for _, label in examples)
        kept = [(t, lab) for t, lab in examples if counts[lab] >= MIN_PER_CLASS and t.strip()]
        classes = sorted({lab for _, lab in kept})
        if len(kept) < MIN_EXAMPLES or len(classes) < 2:
            return None
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        pipeline = make_pipeline(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 4),
                preprocessor=normalise_for_search,
                sublinear_tf=True,
                min_df=1,
                max_features=60_000,
            ),
            LogisticRegression(max_iter=2000, class_weight="balanced", C=10.0),
        )
        pipeline.fit([t for t, _ in kept], [lab for _, lab in kept])
        return cls(pipeline, len(kept), classes)

    def predict(self, text: str) -> Prediction:
        proba = self._pipeline.predict_proba([text])[0]
        labels = self._pipeline.classes_
        order = proba.argsort()[::-1]
        top, second = order[0], order[1] if len(order) > 1 else order[0]
        reason = (
            f"learned from {self.n_examples} confirmed pages: {labels[top]} "
            f"p={proba[top]:.2f}, next {labels[second]} p={proba[second]:.2f}"
        )
        return Prediction(str(labels[top]), float(proba[top]), reason)

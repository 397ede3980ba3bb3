"""Classification and metadata extraction: what a page is, and what it says about its file.

``classify_file(pages, registry)`` is the one call the pipeline makes after
OCR. It uses the built-in rules, the records room's own rules
(``<data folder>/rules.toml``), a model learned from the labels people
confirmed in the registry, and the registry's known offices.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scanpipe.classify.classifier import DEFAULT_THRESHOLD, Classifier, language
from scanpipe.classify.learned import DocTypeModel
from scanpipe.classify.rules import RuleError, RuleSet, default_rules, load_rules
from scanpipe.model import Classification, PageResult

if TYPE_CHECKING:
    from scanpipe.registry.store import Registry

__all__ = [
    "DEFAULT_THRESHOLD",
    "Classifier",
    "DocTypeModel",
    "RuleError",
    "RuleSet",
    "classifier_for",
    "classify_file",
    "default_rules",
    "language",
    "load_rules",
]

RULES_FILE = "rules.toml"

# One classifier per open registry, rebuilt when the rules file changes (a watch
# process runs for days while a records officer edits the rules).
_CACHE: WeakKeyDictionary[Registry, tuple[float | None, Classifier]] = WeakKeyDictionary()


def rules_path(registry: Registry) -> Path:
    return registry.data_dir / RULES_FILE


def classifier_for(registry: Registry) -> Classifier:
    """The classifier for this registry's records room: its rules, labels and offices."""
    path = rules_path(registry)
    mtime = path.stat().st_mtime if path.is_file() else None
    cached = _CACHE.get(registry)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    rules = default_rules()
    if mtime is not None:
        rules = rules + load_rules(path)
    model = DocTypeModel.train(registry.confirmed_labels())
    classifier = Classifier(rules, model, offices=registry.office_names())
    _CACHE[registry] = (mtime, classifier)
    return classifier


def classify_file(pages: Sequence[PageResult], registry: Registry | None = None) -> Classification:
    """Classify a file's pages for ``Registry.add_file``; built-in rules without a registry."""
    classifier = classifier_for(registry) if registry is not None else Classifier()
    return classifier.file(pages)

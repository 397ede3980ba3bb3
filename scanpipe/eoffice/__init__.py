"""The e-Office vocabulary: file numbers (``fileno``) and the terms and retention rules
of a records room (``terms``).

Pure values and functions with no database: page workers (``ocr/reread.py``),
the classifier, the registry, routing and the CLI all speak these words, so they
sit at the bottom of the layers (docs/architecture.md). Importing this package
must never import SQLAlchemy or the registry; ``tests/test_layers.py`` checks it.
"""

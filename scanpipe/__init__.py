"""scanpipe: scan, OCR, archive and register legacy paper files for e-Office."""

__version__ = "0.1.0"

"""Build the Hindi lexicon that fuzzy search uses to tell a misreading from another word.

    .venv/bin/python bench/lexicon.py [--out scanpipe/lexicon_hin.txt.gz]

The word list is the one inside the installed Tesseract ``hin`` model (tessdata_fast,
Apache-2.0), unpacked with ``combine_tessdata`` and ``dawg2wordlist``: the words the
OCR itself knows. Each is stored as its search loose key (``loose_key`` of
``normalise_for_search``), one a line, sorted, gzipped. A fuzzy candidate whose loose
key is in the lexicon is a real word, so it is another word, not a misreading of the
one typed (registry/expansion.py).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scanpipe.text import is_devanagari, loose_key, normalise_for_search, tokenise
from scanpipe.tools import run

MODEL = Path("/usr/share/tesseract-ocr/5/tessdata/hin.traineddata")


def words_of(model: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "hin."
        run(["combine_tessdata", "-u", model, prefix], about=model)
        out = Path(tmp) / "words.txt"
        run(
            ["dawg2wordlist", f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg", out],
            about=model,
        )
        return out.read_text(encoding="utf-8").split()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--out", type=Path, default=Path("scanpipe/lexicon_hin.txt.gz"))
    args = ap.parse_args()
    keys = {
        loose_key(tok)
        for w in words_of(args.model)
        for tok in tokenise(normalise_for_search(w))
        if is_devanagari(tok)
    }
    body = ("\n".join(sorted(keys)) + "\n").encode("utf-8")
    args.out.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))  # reproducible bytes
    print(f"{len(keys)} loose keys from {args.model} -> {args.out}")


if __name__ == "__main__":
    main()

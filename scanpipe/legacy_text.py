"""Kruti Dev and DevLys text: Devanagari typed in fonts that draw it over ASCII codes.

Letters of the 1990s-2010s were typed in Kruti Dev 010 or DevLys 010 (the
"Remington" typewriter layout): the PDF's text layer holds ``i=koyh dk
voyksdu fd;k x;kA`` where the page shows पत्रावली का अवलोकन किया गया।. The
codes are glyphs, not letters, in visual order: the short i (``f``) is typed
before its consonant, the reph (``Z``) after its syllable, a half form plus
the ``k`` stroke makes a full consonant. So decoding is a longest-match glyph
table followed by two reorderings, never a character map.

The table is written here from the published layout (docs/decisions.md says
why not a dependency). Only text drawn in a legacy font is decoded: an English
word in Times New Roman on the same page must stay English, so callers pass
the font name with every run (``legacy_family``).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from scanpipe.text import hindi_lexicon, loose_key, malformed_share, normalise_for_search, tokenise

VIRAMA = "\u094d"
I_SIGN = "\u093f"
REPH = "र्"

# Font names (as PDFs spell them, lower-cased, without spaces) of the legacy families.
# Kruti Dev and DevLys share the Remington layout this table decodes; Chanakya and the
# others use layouts of their own, so their pages are recognised but read by OCR.
_FAMILIES = (
    ("krutidev", "kruti"),
    ("kruti", "kruti"),
    ("devlys", "kruti"),
    ("walkmanchanakya", "chanakya"),
    ("chanakya", "chanakya"),
    ("shreedev", "shree"),
    ("shree-dev", "shree"),
    ("shusha", "shusha"),
    ("agra", "other"),
    ("akruti", "other"),
)
DECODABLE = frozenset({"kruti"})

# Full consonants and the conjuncts the layout draws as one glyph.
_CONSONANTS = {
    "d": "क", "x": "ग", "³": "ङ", "p": "च", "N": "छ", "t": "ज", ">": "झ", "¥": "ञ",
    "V": "ट", "B": "ठ", "M": "ड", "<": "ढ", "r": "त", "n": "द", "u": "न", "i": "प",
    "Q": "फ", "c": "ब", "e": "म", ";": "य", "j": "र", "y": "ल", "G": "ळ", "o": "व",
    "l": "स", "g": "ह", "=": "त्र", "K": "ज्ञ", "J": "श्र", "}": "द्व", "|": "द्य",
    "Ø": "क्र", "ä": "क्त", "–": "दृ", "—": "कृ", "Ñ": "कृ", "é": "न्न", "™": "न्न",
    "à": "ह्न", "á": "ह्य", "â": "हृ", "ã": "ह्म", "í": "द्द", "Ì": "द्द", "Í": "ट्ट",
    "Î": "ट्ठ", "Ï": "ड्ड", "Ô": "ड्ढ", "ô": "क्क", "Ý": "फ्र", "æ": "द्र", "ç": "प्र",
    "Á": "प्र", "#": "रु", ":": "रू", ")": "द्ध", "Ò": "भ",
}  # fmt: skip
# Half forms: the consonant with its virama; the ``k`` stroke after one makes it full.
_HALVES = {
    "D": "क्", "[": "ख्", "X": "ग्", "?": "घ्", "P": "च्", "T": "ज्", "Ö": "झ्", ".": "ण्",
    "R": "त्", "F": "थ्", "/": "ध्", "è": "ध्", "U": "न्", "I": "प्", "¶": "फ्", "C": "ब्",
    "H": "भ्", "E": "म्", "¸": "य्", "Y": "ल्", "O": "व्", "'": "श्", "Ü": "श्", '"': "ष्",
    "L": "स्", "º": "ह्", "{": "क्ष्", "Ù": "त्त्", "«": "त्र्",
}  # fmt: skip
_VOWELS = {
    "v": "अ", "vk": "आ", "v‚": "ऑ", "vks": "ओ", "vkS": "औ", "b": "इ", "bZ": "ई", "Ã": "ई",
    "m": "उ", "Å": "ऊ", "_": "ऋ", ",": "ए", ",s": "ऐ",
}  # fmt: skip
_SIGNS = {
    "k": "ा", "h": "ी", "q": "ु", "w": "ू", "`": "ृ", "s": "े", "S": "ै", "ks": "ो",
    "kS": "ौ", "‚": "ॉ", "a": "ं", "¡": "ँ", "%": "ः", "W": "ॅ", "~": VIRAMA, "+": "़",
}  # fmt: skip
_RA_SIGNS = {"z": "्र", "ª": "्र", "î": "्य", "Ó": "्य"}
_OTHER = {
    "A": "।", "AA": "॥", "]": ",", "-": ".", "&": "-", "^": "‘", "*": "’", "Þ": "“", "ß": "”",
    "(": ";",
    "¼": "(", "½": ")", "¿": "{", "À": "}", "¾": "=", "@": "/", "\\": "?", "Œ": "°",
    "ñ": "॰", "·": "ऽ", "å": "०", "ƒ": "१", "„": "२", "…": "३", "†": "४", "‡": "५", "ˆ": "६",
    "‰": "७", "Š": "८", "‹": "९",
}  # fmt: skip

_KIND = (
    [(k, v, "cons") for k, v in _CONSONANTS.items()]
    + [(k, v, "half") for k, v in _HALVES.items()]
    + [(k, v, "vowel") for k, v in _VOWELS.items()]
    + [(k, v, "sign") for k, v in _SIGNS.items()]
    + [(k, v, "ra") for k, v in _RA_SIGNS.items()]
    + [(k, v, "other") for k, v in _OTHER.items()]
    + [("f", I_SIGN, "i"), ("Z", REPH, "reph"), ("±", REPH + "ं", "reph")]
)
_TABLE = {code: (text, kind) for code, text, kind in _KIND}
_LONGEST = max(len(code) for code in _TABLE)
# Marks typed in the wrong order, or as two strokes, that Unicode writes as one.
_MARK_FIXES = (("ाे", "ो"), ("ाै", "ौ"), ("अा", "आ"), ("आे", "ओ"), ("आै", "औ"), ("अॉ", "ऑ"))
_NASAL_BEFORE_SIGN = regex.compile("([ंँ])([ािीुूृेैोौॉॅ])")
_DOUBLE_VIRAMA = regex.compile(VIRAMA + "+")


@dataclass
class _Unit:
    text: str
    kind: str  # cons | half | vowel | sign | i | reph | other


def _units(code: str) -> list[_Unit]:
    """Longest-match glyph codes, with the layout's joins made at once.

    A half form followed by the ``k`` stroke is the full consonant (``Dk`` is
    क, so ``Dks`` is के, not क्+ो); a ra- or ya-sign joins the consonant before
    it; the nukta (``+``) goes inside the consonant, before any virama.
    """
    out: list[_Unit] = []
    i = 0
    while i < len(code):
        for size in range(min(_LONGEST, len(code) - i), 0, -1):
            found = _TABLE.get(code[i : i + size])
            if found is not None:
                break
        else:  # not a glyph of the layout: a digit, a space, a letter in another font
            out.append(_Unit(code[i], "other"))
            i += 1
            continue
        text, kind = found
        i += size
        last = out[-1] if out else None
        if kind == "half" and code[i : i + 1] == "k":
            text, kind = text[:-1], "cons"
            i += 1
        if kind == "ra" and last is not None and last.kind in ("cons", "half"):
            last.text = (last.text[:-1] + text[1:]) if last.kind == "half" else last.text + text
            last.kind = "cons"
            continue
        if text == "़" and last is not None and last.kind in ("cons", "half"):
            cut = -1 if last.kind == "half" else len(last.text)
            last.text = last.text[:cut] + text + last.text[cut:]
            if last.kind == "half" and code[i : i + 1] == "k":  # ¶+k: फ़
                last.text, last.kind = last.text[:-1], "cons"
                i += 1
            continue
        out.append(_Unit(text, kind))
    return out


def _place_i_signs(units: list[_Unit]) -> list[_Unit]:
    """The short i is typed before its cluster; Unicode writes it after (fLFkfr = स्थिति)."""
    out: list[_Unit] = []
    waiting = False
    for unit in units:
        if unit.kind == "i":
            if waiting:  # two in a row: keep the first where it was typed
                out.append(_Unit(I_SIGN, "sign"))
            waiting = True
            continue
        out.append(unit)
        if waiting and unit.kind == "cons":
            out.append(_Unit(I_SIGN, "sign"))
            waiting = False
        elif waiting and unit.kind not in ("half",):
            out.insert(len(out) - 1, _Unit(I_SIGN, "sign"))  # nothing to attach to
            waiting = False
    if waiting:
        out.append(_Unit(I_SIGN, "sign"))
    return out


def _place_rephs(units: list[_Unit]) -> list[_Unit]:
    """The reph is typed after its syllable; Unicode writes र् before the cluster."""
    out: list[_Unit] = []
    for unit in units:
        if unit.kind != "reph":
            out.append(unit)
            continue
        at = len(out)
        while at > 0 and out[at - 1].kind == "sign":
            at -= 1
        if at > 0 and out[at - 1].kind in ("cons", "vowel"):
            at -= 1
            while at > 0 and out[at - 1].kind == "half":
                at -= 1
            out.insert(at, _Unit(REPH, "half"))
            if unit.text != REPH:  # ± carries an anusvara after the syllable
                out.append(_Unit(unit.text[len(REPH) :], "sign"))
        else:
            out.append(_Unit(unit.text, "other"))
    return out


def decode_kruti(code: str) -> str:
    """Unicode Devanagari for text typed in Kruti Dev 010 or DevLys 010."""
    units = _place_rephs(_place_i_signs(_units(code)))
    text = "".join(u.text for u in units)
    for typed, written in _MARK_FIXES:
        text = text.replace(typed, written)
    text = _NASAL_BEFORE_SIGN.sub(r"\2\1", text)
    return _DOUBLE_VIRAMA.sub(VIRAMA, text)


def legacy_family(font_name: str) -> str | None:
    """The legacy family a PDF font name belongs to (``kruti``, ``chanakya``...), else None.

    Subset prefixes (``ABCDEF+``) and style suffixes do not matter: the name is
    compared without them, case and spaces.
    """
    name = font_name.rsplit("+", 1)[-1].casefold().replace(" ", "").replace("_", "")
    for stem, family in _FAMILIES:
        if name.startswith(stem) or stem in name:
            return family
    return None


# Glyph codes that Kruti text is full of and English prose almost never has inside a word.
_TELLTALE = regex.compile(
    r"[a-zA-Z][;\[\]{}=|~`'\"]|[;\[{=|]\p{Ll}|(?:ks|kS|dk|esa|gS|fd|dh|ds)(?=\s|$)"
)


@dataclass(frozen=True)
class LegacyVerdict:
    """Whether a run of ASCII text is Kruti-typed Hindi, and the evidence."""

    decoded: str
    known_share: float  # of the decoded Devanagari words, the share the Hindi lexicon knows
    telltale_share: float  # of the original words, the share with the layout's tell-tale codes
    words: int
    malformed: float = 0.0  # of the decoded Devanagari words, the share the script forbids

    @property
    def is_hindi(self) -> bool:
        """Decoded, it is Devanagari text: the test that English text never passes."""
        return self.words >= 3 and plausible_devanagari(self.known_share, self.malformed)


# Two independent tests, both needed. Decoded Kruti letters, and Unicode layers, have
# under 1% malformed words and 14-90% known ones (Marathi lowest, Hindi highest);
# English decoded as if it were Kruti has 24-36% malformed and 5-7% known. The limits
# sit between the classes (bench/text_layers.py measures both on fresh pages).
MAX_MALFORMED = 0.1
MIN_KNOWN_SHARE = 0.12


def plausible_devanagari(known: float, malformed: float) -> bool:
    return malformed <= MAX_MALFORMED and known >= MIN_KNOWN_SHARE


def known_share(text: str) -> tuple[float, int]:
    """Share of the Devanagari words of ``text`` that the Hindi lexicon knows, and their count."""
    words = [w for w in tokenise(normalise_for_search(text)) if _is_deva(w)]
    if not words:
        return 0.0, 0
    lexicon = hindi_lexicon()
    known = sum(loose_key(w) in lexicon for w in words)
    return known / len(words), len(words)


def _is_deva(word: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in word)


def judge_legacy(code: str) -> LegacyVerdict:
    """Decode an ASCII run as Kruti and say how Hindi the result is.

    Used both to confirm a run in a font named Kruti Dev and, by shape alone, to
    find Kruti text whose font name was lost (an unnamed subset, a Type 3 font).
    """
    letters = [ch for ch in code if ch.isalpha()]
    if sum(map(_is_deva, letters)) > 0.3 * len(letters):  # Unicode Hindi: nothing to decode
        return LegacyVerdict(code, 0.0, 0.0, 0)
    decoded = decode_kruti(code)
    share, words = known_share(decoded)
    original = code.split()
    telltale = sum(bool(_TELLTALE.search(w)) for w in original) / max(1, len(original))
    return LegacyVerdict(decoded, share, telltale, words, malformed_share(decoded)[0])


# --- encoding: the inverse, to make legacy fixtures and benchmark pages ------------------------


# Codes that draw the same letters as another code; the encoder types the usual one.
_ALTERNATES = frozenset({"Ò", "Ñ", "è", "Ü", "Á", "™", "Ì", "Ã", "ç"})


def _first_codes(table: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, text in table.items():
        if code not in _ALTERNATES:
            out.setdefault(text, code)
    return out


_HALF_CODE = _first_codes(_HALVES)
_FULL_CODE = _first_codes(_CONSONANTS)
for _text, _code in _HALF_CODE.items():
    _FULL_CODE.setdefault(_text[:-1], _code + "k")
_VOWEL_CODE = _first_codes(_VOWELS)
_SIGN_CODE = {v: k for k, v in _SIGNS.items() if k != "+"}
_NASAL_SIGNS = frozenset("ंँ")
_OTHER_CODE = _first_codes(_OTHER) | {":": "%"}
_RA_BELOW = frozenset("टठडढछ")  # these take the ª stroke; the rest take z
_CONS = "\u0915-\u0939"
_AKSHARA = regex.compile(
    rf"(?P<cluster>(?:[{_CONS}]\u093c?\u094d(?=[{_CONS}]))*[{_CONS}]\u093c?)"
    r"(?P<signs>[\u093e-\u094d\u0901-\u0903\u0945\u0949]*)"
)


def _letter_code(letter: str, half: bool) -> str:
    """One consonant (with its nukta, if any) as a full or half glyph."""
    base, nukta = letter[0], letter[1:]
    if half:
        code = _HALF_CODE.get(base + VIRAMA)
        if code is None:
            return _FULL_CODE.get(base, base) + ("+" if nukta else "") + "~"
        return code + ("+" if nukta else "")
    code = _FULL_CODE.get(base, base)
    if nukta:
        return code[:-1] + "+k" if len(code) > 1 and code.endswith("k") else code + "+"
    return code


def _encode_consonants(cluster: str) -> str:
    """Glyph codes for a consonant cluster: conjunct glyphs first, then ra/ya below, halves."""
    letters = cluster.split(VIRAMA)
    out = ""
    j = 0
    while j < len(letters):
        last = len(letters)
        for k in range(last, j + 1, -1):  # a conjunct drawn as one glyph
            piece = VIRAMA.join(letters[j:k])
            if k == last and piece in _FULL_CODE:
                out += _FULL_CODE[piece]
                break
            if k < last and piece + VIRAMA in _HALF_CODE:
                out += _HALF_CODE[piece + VIRAMA]
                break
        else:
            k = j + 1
            if j + 2 == last and letters[j + 1] in ("र", "य") and len(letters[j]) == 1:
                below, base = letters[j + 1], letters[j]
                if below == "र":
                    out += _letter_code(base, False) + ("ª" if base in _RA_BELOW else "z")
                elif base in _RA_BELOW:
                    out += _letter_code(base, False) + "î"
                else:
                    out += _letter_code(base, True) + _FULL_CODE["य"]
                k = last
            else:
                out += _letter_code(letters[j], k < last)
        j = k
    return out


def _encode_akshara(cluster: str, signs: str) -> str:
    reph = cluster.startswith("र्") and len(cluster) > 2
    body = cluster[2:] if reph else cluster
    code = _encode_consonants(body)
    i_sign = "f" if I_SIGN in signs else ""
    # A sign the layout has no key for (the short e of transliterations) stays as it is.
    vowel = "".join(_SIGN_CODE.get(s, s) for s in signs if s != I_SIGN and s not in _NASAL_SIGNS)
    nasal = "".join(_SIGN_CODE[s] for s in signs if s in _NASAL_SIGNS)
    return i_sign + code + vowel + ("Z" if reph else "") + nasal


def encode_kruti(text: str) -> str:
    """Kruti Dev 010 codes for Unicode Devanagari, as a typist would have typed them."""
    import unicodedata

    text = unicodedata.normalize("NFD", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _AKSHARA.match(text, i)
        if m:
            out.append(_encode_akshara(m["cluster"], m["signs"]))
            i = m.end()
            continue
        ch = text[i]
        two = text[i : i + 2]
        if two in _VOWEL_CODE:
            out.append(_VOWEL_CODE[two])
            i += 2
            continue
        if ch in _VOWEL_CODE:
            out.append(_VOWEL_CODE[ch])
        elif ch in _SIGN_CODE:
            out.append(_SIGN_CODE[ch])
        else:
            out.append(_OTHER_CODE.get(ch, ch))
        i += 1
    return "".join(out)


# The commonest English function words: a fifth or more of any English prose.
_ENGLISH_WORDS = """
the of and to in is that for it as was with be by on not he this are or his from at which
but have an they you were her all she there their one been has we its will would shall may
no if any such these those under above said dated letter office copy sir please your our
"""
_ENGLISH = frozenset(_ENGLISH_WORDS.split())


def english_share(text: str) -> float:
    """Share of the words that are common English function words (0 for Kruti codes)."""
    words = [w.strip(".,;:()[]'\"").casefold() for w in text.split()]
    words = [w for w in words if w]
    return sum(w in _ENGLISH for w in words) / max(1, len(words))

"""Text of the generated Mungeli district letters: pools of lines and a seeded letter.

Kept apart from the rendering in ``scanpipe.samples`` so the words can be read
and extended without wading through image code.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable

# --- letter text ---------------------------------------------------------------------------


def _nfc(*parts: Iterable[str]) -> tuple[str, ...]:
    """Join and NFC, so nukta letters (फ़) are फ + ़ as Tesseract emits them."""
    return tuple(unicodedata.normalize("NFC", line) for part in parts for line in part)


# English letterhead with the Hindi office line most Mungeli letters also carry.
_LETTERHEAD = (
    "Government of Chhattisgarh",
    "Office of the Collector, District Mungeli",
    "कार्यालय कलेक्टर, जिला मुंगेली (छ.ग.)",
)
# (English section name, English file code, Hindi file code)
_SECTIONS = (
    ("General Administration Department", "GAD", "सा.प्र.वि."),
    ("Establishment Section", "EST", "स्था."),
    ("Revenue Section", "REV", "रा."),
    ("Record Room (Abhilekh Shakha)", "REC", "अभि."),
    ("Land Records Branch", "LR", "भू-अभि."),
    ("e-Office Cell", "EOF", "ई-ऑफिस"),
)
_RECIPIENTS = (
    "तहसीलदार, तहसील लोरमी, जिला मुंगेली",
    "अनुविभागीय अधिकारी (राजस्व), पथरिया",
    "मुख्य कार्यपालन अधिकारी, जनपद पंचायत मुंगेली",
    "समस्त विभाग प्रमुख, जिला मुंगेली (छ.ग.)",
    "प्रभारी अधिकारी, अभिलेख कक्ष, कार्यालय कलेक्टर",
)
_SUBJECTS = (
    "विषय: पुरानी नस्तियों को स्कैन कर ई-ऑफिस में अपलोड करने बाबत।",
    "विषय: अभिलेख कक्ष की फ़ाइलों के डिजिटलीकरण के संबंध में।",
    "विषय: प्रशासनिक कार्यों में ई-ऑफिस प्रणाली लागू करने बाबत।",
    "विषय: भू-अभिलेख नस्तियों की सूची प्रस्तुत करने बाबत।",
    "विषय: क्षेत्रीय कार्यालयों के लंबित प्रकरणों की समीक्षा।",
)
_HINDI_BODY = (
    "उपरोक्त विषयांतर्गत लेख है कि जिला मुंगेली के समस्त कार्यालयों में",
    "ई-ऑफिस प्रणाली के माध्यम से ही प्रशासनिक कार्य किया जाना है।",
    "कलेक्टर महोदय के निर्देशानुसार पुरानी फ़ाइलों को स्कैन किया जाए।",
    "प्रत्येक क्षेत्र के प्रशासनिक अभिलेख सुरक्षित रखे जाएं।",
    "कार्यालय में लंबित नस्तियों की सूची सात दिवस में भेजें।",
    "स्कैन की गई फ़ाइल का नाम नस्ती क्रमांक के अनुसार रखा जाए।",
    "क्षेत्रीय कर्मचारियों को ई-ऑफिस का प्रशिक्षण दिया जाएगा।",
    "अभिलेख कक्ष की जीर्ण-शीर्ण नस्तियों को प्राथमिकता दी जाए।",
    "इस कार्य में किसी प्रकार की लापरवाही क्षम्य नहीं होगी।",
    "कृपया प्रगति प्रतिवेदन प्रत्येक सोमवार तक कार्यालय में दें।",
    "तहसील लोरमी एवं पथरिया के कार्यालय भी इसमें शामिल हैं।",
    "प्रशासनिक स्वीकृति के पश्चात ही अभिलेख नष्ट किए जाएं।",
)
_ENGLISH_BODY = (
    "All scanned files shall be uploaded to the e-Office portal.",
    "Scan each page at 300 dpi and keep the original in the record room.",
    "Nodal Officer: Deputy Collector (e-Office), Mungeli.",
    "Reference: GAD letter No. {ref_no} dated {ref_date}.",
    "Progress report to be sent by e-mail every Monday.",
)
_SIGNATURES = (
    ("कलेक्टर", "जिला मुंगेली (छ.ग.)"),
    ("(Signed) Collector", "District Mungeli, Chhattisgarh"),
    ("अपर कलेक्टर", "जिला मुंगेली (छ.ग.)"),
)
# Two fixed letters for docs and quick checks. Real Hindi-medium letters keep an
# English letterhead; English-medium ones still carry a Hindi subject and sign-off.
LETTER_LINES_HI: tuple[str, ...] = _nfc(
    (*_LETTERHEAD, "Establishment Section", "फा.क्र. ४५/२०१९/स्था.", "मुंगेली, दिनांक ०९/०८/२०१९"),
    (_SUBJECTS[0], *_HINDI_BODY[:4], _ENGLISH_BODY[0], *_SIGNATURES[0]),
)
LETTER_LINES_EN: tuple[str, ...] = _nfc(
    (*_LETTERHEAD, _SECTIONS[0][0], "File No. F-847/2022/GAD-36", "Mungeli, Dated 14.07.2022"),
    (_SUBJECTS[1], *_ENGLISH_BODY[:3], "कलेक्टर, जिला मुंगेली (छ.ग.)"),
)
_DEVA_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")


def letter_lines(seed: int) -> list[str]:
    """A plausible one-page letter; different seeds pick different pools, numbers and dates.

    Lines are NFC-normalised and never empty, so they double as line-by-line
    ground truth.
    """
    rng = random.Random(seed)
    section, code_en, code_hi = rng.choice(_SECTIONS)
    year = rng.randint(2012, 2023)  # Mungeli became a district in 2012
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    number = rng.randint(12, 1999)
    if rng.random() < 0.5:
        file_no = f"File No. F-{number}/{year}/{code_en}-{rng.randint(1, 60)}"
        dated = f"Mungeli, Dated {day:02d}.{month:02d}.{year}"
    else:
        file_no = f"फा.क्र. {number}/{year}/{code_hi}".translate(_DEVA_DIGITS)
        dated = f"मुंगेली, दिनांक {day:02d}/{month:02d}/{year}"
        if rng.random() < 0.5:
            dated = dated.translate(_DEVA_DIGITS)
    body = rng.sample(_HINDI_BODY, rng.randint(4, 8))
    ref_no = f"{rng.randint(100, 2999)}/{year - 1}"
    ref_date = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year - 1}"
    for english in rng.sample(_ENGLISH_BODY, rng.randint(1, 3)):
        body.insert(rng.randint(1, len(body)), english.format(ref_no=ref_no, ref_date=ref_date))
    head = [*_LETTERHEAD, section, file_no, dated, "प्रति,", rng.choice(_RECIPIENTS)]
    return list(_nfc(head, [rng.choice(_SUBJECTS)], body, rng.choice(_SIGNATURES)))

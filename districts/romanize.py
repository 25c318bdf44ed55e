"""Hangul place names in Latin letters: the Revised Romanization of Korean (문화체육관광부 고시 2000-8)
with the sound changes that place names show (liaison, nasalisation, ㄹ → ㄴ, ㄴ+ㄹ → ll).

Used where the open data carry a Korean name only (subway stations): "선릉" → "Seolleung",
"왕십리" → "Wangsimni", "독립문" → "Dongnimmun". Names the data give in English are used as given.
"""
INITIALS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
MEDIALS = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
           "yu", "eu", "ui", "i"]
# Finals by index: the sound at the end of a word, and the consonant carried over before a vowel.
FINALS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
          "ng", "t", "t", "k", "t", "p", "t"]
CARRIED = ["", "g", "kk", "gs", "n", "nj", "n", "d", "r", "lg", "lm", "lb", "ls", "lt", "lp", "r", "m", "b", "bs",
           "s", "ss", "ng", "j", "ch", "k", "t", "p", ""]
NASAL = {"k": "ng", "t": "n", "p": "m"}  # before ㄴ or ㅁ
N_INITIAL, R_INITIAL, M_INITIAL, SILENT = 2, 5, 6, 11


def _syllables(word: str):
    for ch in word:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            yield code // 588, (code % 588) // 28, code % 28
        else:
            yield ch


def romanize(text: str) -> str:
    """"강남" → "Gangnam"; digits and Latin letters pass through; each word is capitalised."""
    out = []
    for word in text.split():
        parts = list(_syllables(word))
        letters = []
        for i, part in enumerate(parts):
            if isinstance(part, str):
                letters.append(part)
                continue
            initial, medial, final = part
            prev = parts[i - 1] if i and not isinstance(parts[i - 1], str) else None
            nxt = parts[i + 1] if i + 1 < len(parts) and not isinstance(parts[i + 1], str) else None
            head = INITIALS[initial]
            if prev is not None and prev[2]:
                prev_final = FINALS[prev[2]]
                if initial == R_INITIAL:
                    head = "l" if prev_final in ("n", "l") else "n"
                elif initial == N_INITIAL and prev_final == "l":
                    head = "l"
                elif initial == SILENT:
                    head = ""  # the final was carried over below
            tail = FINALS[final]
            if nxt is not None and final:
                next_initial = nxt[0]
                if next_initial == SILENT:
                    tail = CARRIED[final]
                elif next_initial == R_INITIAL:
                    tail = "l" if tail in ("n", "l") else NASAL.get(tail, tail)
                elif next_initial in (N_INITIAL, M_INITIAL):
                    tail = "l" if tail == "l" and next_initial == N_INITIAL else NASAL.get(tail, tail)
            letters.append(head + MEDIALS[medial] + tail)
        roman = "".join(letters)
        out.append(roman[:1].upper() + roman[1:])
    return " ".join(out)

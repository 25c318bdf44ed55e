"""One language per reader, checked in the source: no server text is written as "English / 한국어" (or
"한국어 / English"), and no `_bilingual` helper is left. Server text is an English msgid with its Korean in
the app's catalogue (tests/core/test_i18n.py checks that every msgid has it); content (place names, demo
objects, what people write) is in one language per field."""
import io
import re
import tokenize
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# "… English words / 한국어 …" or "… 한국어 / English words …" inside one literal
PAIR = re.compile(r"(?:[A-Za-z][^\uac00-\ud7a3/]*\s/\s*[^/]*[\uac00-\ud7a3])|(?:[\uac00-\ud7a3][^/]*\s/\s*[^\uac00-\ud7a3/]*[A-Za-z]{2,})")
# f"{x_en} / {x_ko}", f"{x_ko} ({x_en})" and the like: two language fields joined for one reader
FIELD_PAIR = re.compile(r"\{[^{}]*_(?:en|ko)\b[^{}]*\}\s*[/(]\s*\{[^{}]*_(?:en|ko)\b[^{}]*\}")
# a legend entry declared with both languages ({"label_ko": …, "label_en": …}): it reached every reader in both
LEGEND_PAIR = re.compile(r"""["']label_(?:ko|en)["']\s*:""")
LEGEND_SOURCES = ("*/layers.py", "layers/datasets.py", "dashboards/selectors.py")
SKIP_PARTS = {".venv", "node_modules", "tests", "bench", "var", "migrations", "docs", "data"}
# Where a " / " between Korean and English is data, not a message: aliases of input columns, a reader of
# values stored before #17 (it splits them), the message module's own documentation.
ALLOWED = {
    "analysis/messages.py": "splits value labels stored before one-language-per-reader",
}


def _server_files():
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_PARTS & set(rel.parts):
            continue
        yield rel, path


def _literals(source: str):
    """(line, text) of each string literal, adjacent literals joined (implicit concatenation); f-strings
    as written. Docstrings and comments are left out: they are not shown to readers."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    previous_significant = None
    run, start = [], None
    for token in tokens + [None]:
        is_string = token is not None and token.type == tokenize.STRING
        fstring = token is not None and token.type in (getattr(tokenize, "FSTRING_START", -1),
                                                        getattr(tokenize, "FSTRING_MIDDLE", -1),
                                                        getattr(tokenize, "FSTRING_END", -1))
        if is_string or fstring:
            if not run:
                start = token.start[0]
                docstring = previous_significant is None or previous_significant.string in (":", "\n") \
                    or previous_significant.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            run.append(token.string)
            continue
        if token is not None and token.type in (tokenize.NL, tokenize.COMMENT):
            continue
        if run:
            if not docstring:
                yield start, "".join(run)
            run = []
        if token is not None and token.type not in (tokenize.NL, tokenize.COMMENT):
            previous_significant = token


def test_no_server_text_is_written_in_two_languages_at_once():
    found = []
    for rel, path in _server_files():
        if str(rel) in ALLOWED:
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"\b_bilingual\w*\b|\bBilingual\w*\b", source):
            found.append(f"{rel}: a _bilingual helper")
        for line, text in _literals(source):
            if PAIR.search(text) or FIELD_PAIR.search(text):
                found.append(f"{rel}:{line}: {text[:100]}")
    assert not found, "two languages in one text (use a gettext msgid and the catalogue):\n" + "\n".join(found)


def test_the_check_catches_each_shape_of_double_string():
    """The patterns above find what they are for (a grep that matches nothing proves nothing)."""
    caught = [
        '"Sent to Gangnam-gu. / 강남구에 접수되었습니다."',
        '"공개 / disclosed"',
        '"Only city staff may do this. / " "서울시 담당자만 할 수 있습니다."',
        'f"{category.name_en} / {category.name_ko}"',
        'f"서울시가 제안에 답했습니다 ({ko}) / The city answered your proposal ({en})"',
        'f"{self.name_ko} ({self.name_en})"',
    ]
    for source in caught:
        texts = [text for _line, text in _literals(f"x = {source}\n")]
        assert texts and any(PAIR.search(t) or FIELD_PAIR.search(t) for t in texts), source
    passed = ['"강남구"', '"Gangnam-gu"', '"건/km²"', '"records per km²"', '"%(text)s\\n\\n%(url)s"',
              '"2026-11-27T09:00:00+09:00"', 'f"{a} / {b}"', '"출처: 서울 열린데이터 광장 (CC BY 4.0)"']
    for source in passed:
        texts = [text for _line, text in _literals(f"x = {source}\n")]
        assert not any(PAIR.search(t) or FIELD_PAIR.search(t) for t in texts), source


def test_every_msgid_of_the_templates_has_its_korean(tmp_path):
    """`{% translate %}` / `{% blocktranslate %}` in the project's templates: without Korean they show English
    in the Korean interface (tests/core/test_i18n.py checks the Python code the same way)."""
    import subprocess

    from django.utils.translation.template import templatize

    from tests.core.test_i18n import _catalogue

    sources = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        rel = path.relative_to(ROOT)
        if SKIP_PARTS & set(rel.parts):
            continue
        text = path.read_text(encoding="utf-8")
        if "translate" not in text and "trans " not in text:
            continue
        out = tmp_path / (str(rel).replace("/", "__") + ".py")
        out.write_text(templatize(text, origin=str(rel)), encoding="utf-8")
        sources.append(str(out))
    assert sources
    pot = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-location", "--keyword=gettext_noop",
         "--keyword=pgettext:1c,2", "--keyword=npgettext:1c,2,3", "-o", "-", *sources],
        capture_output=True, text=True, check=True).stdout
    msgids = set()
    for block in pot.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        context = re.search(r'^msgctxt "(.*)"$', block, re.M)
        if match:
            text = "".join(re.findall(r'"(.*)"', match.group(1)))
            text = text.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if text:
                msgids.add((context.group(1) + "\x04" if context else "") + text)
    korean = {key[0] if isinstance(key, tuple) else key: value for key, value in _catalogue().items()}
    missing = sorted(m for m in msgids if not korean.get(m))
    assert not missing, f"{len(missing)} template msgids without Korean: {missing[:10]}"


def test_legends_are_declared_with_one_label_in_the_readers_language():
    """Layer legends (registrations, dashboards' classes) give each entry one `label`: a gettext msgid, or a
    `reader_text(ko=…, en=…)` for content in both languages. Stored pairs (analysis outputs) go out through
    `reader_legend`; none is declared as a `label_ko`/`label_en` pair sent to every reader."""
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
             for pattern in LEGEND_SOURCES for path in sorted(ROOT.glob(pattern))
             if not SKIP_PARTS & set(path.relative_to(ROOT).parts)
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if LEGEND_PAIR.search(line)]
    assert not found, "legend entries in two languages:\n" + "\n".join(found)
    assert LEGEND_PAIR.search('legend=[{"label_ko": "자치구 경계", "label_en": "District boundary"}]')
    assert not LEGEND_PAIR.search('legend=[{"label": _("District boundary")}]')

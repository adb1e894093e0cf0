"""Tests for searchsvc.analysis: tokens, stemming, stop words, folding, numbers, pickling."""

import pickle

import pytest

from searchsvc.analysis import (
    TOKEN_RE,
    TermTokenizer,
    analyze_terms,
    build_filter_chain,
    build_name_analyzer,
    build_text_analyzer,
    iter_token_spans,
    load_stop_words,
    stem_word,
    term_for_token,
)


@pytest.mark.parametrize("a, b", [
    ("investigating", "investigated"),
    ("investigation", "investigations"),
    ("sanctions", "sanctioned"),
    ("China's", "China"),
    ("China\u2019s", "china"),
    ("negotiating", "negotiations"),
    ("tariffs", "tariff"),
])
def test_stemming_joins_word_forms(a, b):
    assert analyze_terms(a) == analyze_terms(b)
    assert len(analyze_terms(a)) == 1


@pytest.mark.parametrize("a, b", [
    ("security", "secret"),
    ("law", "lawn"),
    ("states", "statement"),
])
def test_stemming_keeps_different_words_apart(a, b):
    assert analyze_terms(a) != analyze_terms(b)


@pytest.mark.parametrize("word", ["the", "The", "and", "of", "don't", "DON\u2019T", "is", "were", "what's",
                                  "What\u2019s", "they'll", "we've", "can't"])
def test_stop_words_are_dropped(word):
    assert analyze_terms(word) == []
    assert term_for_token(word) is None


@pytest.mark.parametrize("word, term", [("China's", "china"), ("let's", "let"), ("O'Brien", "o'brien")])
def test_apostrophe_words_that_are_not_stop_words(word, term):
    assert term_for_token(word) == term


def test_stop_word_list_is_shipped_and_sane():
    stops = load_stop_words()
    assert 150 <= len(stops) <= 400
    assert {"the", "and", "of", "a"} <= stops
    assert not {"china", "security", "law", "us", "president"} & stops


@pytest.mark.parametrize("text, expected", [
    ("Café", ["cafe"]),
    ("ZÜRICH", ["zurich"]),
    ("naïve", analyze_terms("naive")),
    ("Müller", ["muller"]),
    ("São Paulo", ["sao", "paulo"]),
])
def test_lowercase_and_accent_folding(text, expected):
    assert analyze_terms(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("13.8%", ["13.8"]),
    ("grew 13.8 percent", ["grew", "13.8", "percent"]),
    ("2.042 million", ["2.042", "million"]),
    ("1,000 people", ["1000", "peopl"]),
    ("in 2020.", ["2020"]),
    ("5G networks", ["5g", "network"]),
    ("COVID-19", ["covid", "19"]),
    ("the U.S. and the U.N.", ["u.s", "u.n"]),
])
def test_numbers_and_acronyms(text, expected):
    assert analyze_terms(text) == expected


@pytest.mark.parametrize("text", [
    "**bold** words",           # the forks' default tokenizer keeps '*' inside words
    "<script>alert(1)</script>",
    "Hello, world! (again)",
])
def test_punctuation_is_not_part_of_tokens(text):
    for term in analyze_terms(text):
        assert term.replace(".", "").replace("'", "").isalnum()


def test_fused_tokenizer_equals_the_filter_chain():
    text = ("The U.S. said GDP grew 13.8% and 2.042 million; 1,000 CAFÉ naïve China\u2019s investigating "
            "5G COVID-19 the rule of law, e.g. don't")
    fused = [(t.text, t.pos) for t in build_text_analyzer()(text, positions=True)]
    chain = [(t.text, t.pos) for t in build_filter_chain()(text, positions=True)]
    assert [t for t, _ in fused] == [t for t, _ in chain]
    offset = chain[0][1] - fused[0][1]
    assert [p + offset for _, p in fused] == [p for _, p in chain]  # same gaps: stop words do not count


def test_stop_words_kept_when_asked():
    tokens = [(t.text, t.stopped) for t in build_text_analyzer()("the rule of law", removestops=False)]
    assert tokens == [("the", True), ("rule", False), ("of", True), ("law", False)]


def test_chars_point_at_the_surface_words():
    text = "Investigating <b>China's</b> policy"
    for token in build_text_analyzer()(text, chars=True):
        surface = text[token.startchar:token.endchar]
        assert term_for_token(surface) == token.text
    assert [raw for _, _, raw in iter_token_spans(text)] == ["Investigating", "b", "China's", "b", "policy"]


def test_analyzers_pickle_and_keep_working():
    for analyzer in (build_text_analyzer(), build_name_analyzer(), build_filter_chain()):
        clone = pickle.loads(pickle.dumps(analyzer))
        assert [t.text for t in clone("Investigating Café")] == [t.text for t in analyzer("Investigating Café")]
    assert isinstance(pickle.loads(pickle.dumps(TermTokenizer())), TermTokenizer)


def test_name_analyzer_does_not_stem_or_stop():
    assert [t.text for t in build_name_analyzer()("The Associated Press")] == ["the", "associated", "press"]


@pytest.mark.parametrize("word, stem", [("running", "run"), ("13.8", "13.8"), ("u.s", "u.s"), ("", "")])
def test_stem_word(word, stem):
    assert stem_word(word) == stem


def test_terms_fast_path_equals_the_analyzer_and_its_cache_is_not_pickled():
    tokenizer = build_text_analyzer()
    text = "The U.S. investigated 1,000 tariffs; China's investigators don't investigate. Café!"
    assert tokenizer.terms(text) == [t.text for t in tokenizer(text)] == analyze_terms(text)
    assert tokenizer.terms(text) == tokenizer.terms(text)          # second time from the cache
    assert "_terms" in tokenizer.__dict__ and "_terms" not in pickle.loads(pickle.dumps(tokenizer)).__dict__


READABLE_TOKEN_PATTERN = r"\d+(?:[.,]\d+)+|(?:[^\W\d_]\.){2,}|\w+(?:['\u2019]\w+)*"


@pytest.mark.parametrize("text", [
    "The U.S. and U.N. said 13.8% of 1,000,000 (2.042 million) e.g. don't China\u2019s 5G COVID-19",
    "a.b.c x_y _x 3.x 3,a U.S 1.2.3 Caf\u00e9 na\u00efve \u00bd \u00b23 \u0663\u0664.\u0665 co-op A.B.C.D.E. "
    "12,34.56,7 a'b\u2019c'd ''x'' it's.",
    "..U..S.. 1..2 ,,3 '' \u2019\u2019 x'' 'x y'\u2019z 9a.b. a9.b. _._. \u00e9.\u00e8. 1.a 1,2,3.4",
])
def test_token_pattern_finds_what_the_readable_pattern_finds(text):
    import re

    readable = re.compile(READABLE_TOKEN_PATTERN)
    assert [m.span() for m in TOKEN_RE.finditer(text)] == [m.span() for m in readable.finditer(text)]


def test_token_pattern_agrees_with_the_readable_pattern_on_random_text():
    import random
    import re

    readable = re.compile(READABLE_TOKEN_PATTERN)
    rng = random.Random(20240607)
    alphabet = "aZ9_.,'\u2019 \u00e9\u0663\u00b2\u00bd-x"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert [m.span() for m in TOKEN_RE.finditer(text)] == [m.span() for m in readable.finditer(text)], text

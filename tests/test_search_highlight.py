"""Tests for searchsvc.search.highlight and the snippets SearchService returns: escaping, marks, fragments."""

import re

import pytest
from support import tiny_conferences

from searchsvc.analysis import analyze_terms
from searchsvc.models import SearchRequest
from searchsvc.search.highlight import (
    ELLIPSIS,
    find_matches,
    find_phrase_matches,
    fold_text,
    highlight,
    walk_matches,
    walk_phrase_matches,
)

MFA = tiny_conferences()[0].id


def terms(*words):
    return {t for w in words for t in analyze_terms(w)}


def unmark(html_text):
    return re.sub(r"</?mark>", "", html_text)


def test_marks_every_form_of_the_word():
    html_text = highlight("Investigators investigated; the investigation goes on.", terms("investigating"))
    assert html_text.count("<mark>") == 3
    assert "<mark>investigated</mark>" in html_text


def test_text_is_escaped_around_and_inside_marks():
    text = "<script>alert('x')</script> & <b>tariffs</b>"
    html_text = highlight(text, terms("script", "tariffs"))
    assert "<script>" not in html_text and "<b>" not in html_text
    assert "&lt;<mark>script</mark>&gt;" in html_text
    assert "&amp;" in html_text and "&#x27;x&#x27;" in html_text
    assert unmark(html_text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") \
        .replace("&#x27;", "'") == text


def test_short_text_is_shown_whole_even_without_matches():
    assert highlight("A short answer.", terms("zebra")) == "A short answer."
    assert highlight("", terms("x")) == ""


@pytest.mark.parametrize("fragment_chars, max_fragments", [(100, 1), (100, 2), (200, 3), (60, 5)])
def test_long_text_is_cut_into_fragments_around_matches(fragment_chars, max_fragments):
    filler = "Nothing to see here at all. " * 40
    text = filler + "The tariffs rose. " + filler + "Tariffs fell again. " + filler + "More tariffs. " + filler
    html_text = highlight(text, terms("tariffs"), fragment_chars, max_fragments)
    pieces = html_text.split(f" {ELLIPSIS} ")
    assert 1 <= len([p for p in pieces if "<mark>" in p]) <= max_fragments
    assert html_text.count("<mark>") == min(3, max_fragments)
    assert len(unmark(html_text)) < max_fragments * (fragment_chars + 70) + 10
    assert html_text.startswith(ELLIPSIS) and html_text.endswith(ELLIPSIS)


def test_fragments_prefer_windows_with_more_distinct_terms():
    filler = "Nothing to see here at all. " * 30
    text = filler + "tariffs " + filler + "tariffs and China together " + filler
    html_text = highlight(text, terms("tariffs", "china"), 100, 1)
    assert "<mark>China</mark>" in html_text


def test_long_text_without_matches_shows_its_beginning():
    text = "Opening words of a long statement. " * 30
    html_text = highlight(text, set(), 100, 3)
    assert html_text.startswith("Opening words") and html_text.endswith(ELLIPSIS)
    assert len(html_text) < 140


def test_find_matches_positions():
    text = "Café tariffs, CAFE!"
    assert [(text[s:e], t) for s, e, t in find_matches(text, terms("cafe"))] == [("Café", "cafe"), ("CAFE", "cafe")]


def test_service_returns_escaped_highlights(tiny_service):
    page = tiny_service.search(SearchRequest(q="script"))
    assert [h.id for h in page.hits] == [f"{MFA}-2"]
    answer = page.hits[0].answer_html
    assert "<script>" not in answer and "&lt;<mark>script</mark>&gt;" in answer
    assert "&amp; more" in answer


def test_service_highlights_question_and_answer_separately(tiny_service):
    hit = tiny_service.search(SearchRequest(q="security")).hits[0]
    assert "<mark>security</mark>" in hit.question_html
    assert "<mark>security</mark>" in hit.answer_html


def test_excluded_and_field_words_are_not_marked(tiny_service):
    hit = tiny_service.search(SearchRequest(q="speaker:psaki tariffs -zebra")).hits[0]
    assert "<mark>tariffs</mark>" in hit.answer_html
    assert "psaki" not in hit.answer_html.lower()
    hit = tiny_service.search(SearchRequest(q="hong -retaliate")).hits[0]
    assert "<mark>" in hit.answer_html and "<mark>retaliat" not in hit.question_html


@pytest.mark.parametrize("text, words", [
    ("The U.S. and the U.N. said so.", ["U.S.", "said"]),
    ("It costs 1,000 dollars, not 13.8% or 2.042 million.", ["1,000", "13.8", "2.042"]),
    ("China's position: China\u2019s position. 'China' (China).", ["China", "position"]),
    ("Dying and lying, tying: they die and lie and tie.", ["dying", "lie", "tie"]),
    ("O\u2019Neill and O'Neill met o\u2019neill; Skies, sky, early, earli.", ["O'Neill", "sky", "early"]),
    ("Cried, crying, cries; Ties, tying, tie; Lies, lying, LIE.", ["cry", "tie", "lie"]),
    ("rock'n'roll and rock n roll; ROCK! Rock.", ["rock", "roll"]),
    ("\u201cTaiwan\u201d \u2014 Taiwan\u2026 taiwan's TAIWAN", ["taiwan"]),
    ("Caf\u00e9 Z\u00fcrich and cafe zurich", ["cafe", "zurich"]),              # non-ASCII: token by token
    ("x.y.z and X.Y and xyz", ["xyz", "x.y"]),
    ("a,b,c 5G 5g COVID-19 covid 19", ["5g", "covid", "19"]),
    ("", ["anything"]),
    ("Security, securities; secure!securely", ["security", "secure"]),
    ("Dry, dryly, drier, DRY; shy and spy", ["dry", "dryly", "shy", "spy"]),     # Snowball's y -> i (term_starts)
    ("o\u2018clock, O\u2019Brien's and d'Estaing", ["o'clock", "o'brien", "d'estaing"]),  # apostrophes either way
    ("I, a, U.S.-China, U.S.A.", ["i", "a", "u.s", "u.s.a"]),                   # one-letter and dotted terms
])
def test_find_matches_equals_mapping_every_token(text, words):
    wanted = terms(*words)
    assert wanted
    assert find_matches(text, wanted) == walk_matches(text, wanted)


def test_find_matches_equals_mapping_every_token_on_the_sample(sample_service):
    """Every answer and question of the sample against term sets drawn (seeded) from its own words."""
    import random

    from searchsvc.analysis import TOKEN_RE, term_for_token

    op = sample_service.current()
    rng = random.Random(7)
    checked = 0
    for docnum in range(op.tables.size):
        stored = op.searcher.stored_fields(docnum)
        words = TOKEN_RE.findall(stored.get("question", "") + " " + stored.get("answer", ""))
        if not words:
            continue
        wanted = {term_for_token(w) for w in rng.sample(words, min(3, len(words)))} - {None}
        for text in (stored.get("question", ""), stored.get("answer", "")):
            assert find_matches(text, wanted) == walk_matches(text, wanted), (docnum, wanted)
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize("text, phrase", [
    ("The U.S. and the U.N. said so.", ("u.s", "and")),                 # a trailing dot is dropped by folding
    ("It costs 1,000 dollars, not 13.8% or 2.042 million.", ("1000", "dollars")),   # separators dropped
    ("China\u2019s position and China's people", ("china's", "position")),  # typographic apostrophe folded
    ("Caf\u00e9 Z\u00fcrich and cafe zurich", ("cafe", "zurich")),       # accents folded
    ("\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 said",                       # a capital sigma
     ("\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2", "said")),
    ("people to people to people", ("people", "to", "people")),
    ("nothing here", ("people", "to")),
    ("", ("anything",)),
])
def test_find_phrase_matches_equals_folding_every_token(text, phrase):
    """Phrases ruled out by the folded text are exactly those folding every token does not find."""
    assert find_phrase_matches(text, [phrase]) == walk_phrase_matches(text, [phrase])


def test_find_phrase_matches_equals_folding_every_token_on_the_sample(sample_service):
    """Every answer and question of the sample against phrases of its own words (seeded) and of another turn's."""
    import random

    from searchsvc.analysis import TOKEN_RE, fold_word

    op = sample_service.current()
    rng = random.Random(11)
    checked = found = 0
    previous: list[tuple[str, ...]] = []
    for docnum in range(op.tables.size):
        stored = op.searcher.stored_fields(docnum)
        for text in (stored.get("question", ""), stored.get("answer", "")):
            words = [fold_word(w) for w in TOKEN_RE.findall(text)]
            if len(words) < 2:
                continue
            at = rng.randrange(len(words) - 1)
            phrases = [tuple(words[at:at + rng.choice((1, 2, 3))])] + previous[-2:]
            got = find_phrase_matches(text, phrases)
            assert got == walk_phrase_matches(text, phrases), (docnum, phrases)
            checked += 1
            found += bool(got)
            previous.append(phrases[0])
    assert checked > 1000 and found > 1000


def test_fold_text_is_translating_with_the_fold_map(sample_service):
    import random

    from searchsvc.analysis import FOLD_MAP
    gen = sample_service.current()
    texts = [gen.stored(d).get(field, "") for d in range(gen.tables.size) for field in ("question", "answer")]
    assert sum(not t.isascii() for t in texts) > 20        # curly quotes, accents: the case it is for
    rng = random.Random(5)
    alphabet = [chr(k) for k in FOLD_MAP] + list("ab z.,'\u2014\u201c\u201d\u03a3\u00df\u0130\u0307")
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        lowered = text.lower()
        assert fold_text(lowered) == lowered.translate(FOLD_MAP)

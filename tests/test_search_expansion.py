"""Tests for searchsvc.search.expansion: the synonym and word-form lists."""



from searchsvc.search.expansion import load_synonyms, load_word_forms, parse_synonyms


def test_synonym_groups_and_one_way_lines():
    syn = parse_synonyms("# comment\ndprk | north korea\njab | jabs => vaccine | shot\nthe | a\n")
    assert {t for t, _ in syn.others(("dprk",))} == {("north", "korea")}
    assert {t for t, _ in syn.others(("north", "korea"))} == {("dprk",)}
    assert {t for t, _ in syn.others(("jab",))} == {("vaccin",), ("shot",)}
    assert syn.others(("vaccin",)) == ()          # right of "=>": matches only itself
    assert syn.others(("the",)) == ()              # stop words only: left out


def test_shipped_word_forms_join_what_stemming_does_not():
    forms, synonyms = load_word_forms(), load_synonyms()
    assert {t for t, _ in forms.others(("china",))} == {("chines",)}          # a place and its people
    assert ("china",) in {t for t, _ in forms.others(("chines",))}
    assert {("oppos",), ("opposit",)} <= {t for t, _ in forms.others(("oppon",))}   # one word family
    assert ("visit",) in {t for t, _ in synonyms.others(("trip",))}          # general words of the news
    assert ("disput",) in {t for t, _ in synonyms.others(("deni",))}

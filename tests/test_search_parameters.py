"""Tests for searchsvc.search.parameters: the one description of the search parameters. A request from a Python
caller (or the CLI) breaking a rule is a QueryError naming the parameter, with the API's message; a query string's
spellings (scope aliases, digits as text) are for query strings only."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from support import base_settings
from werkzeug.datastructures import MultiDict

from searchsvc.errors import QueryError
from searchsvc.models import FACET_TABLE, SearchRequest
from searchsvc.search.parameters import parse_search_args, request_arguments, validate_request

LIMITS = base_settings().search


@pytest.mark.parametrize("kw, message", [
    (dict(q="x" * (LIMITS.max_query_chars + 1)), f"longer than {LIMITS.max_query_chars} characters"),
    (dict(q=" ".join(f"w{i}" for i in range(LIMITS.max_terms + 1))), "too many words"),
    (dict(per_page=0), "'per_page' must be between 1 and"),
    (dict(per_page=LIMITS.max_per_page + 1), f"between 1 and {LIMITS.max_per_page}"),
    (dict(page=0), "'page' must be between 1"),
    (dict(page=LIMITS.max_page_depth + 1), f"between 1 and {LIMITS.max_page_depth}"),
    (dict(speakers=tuple(f"s{i}" for i in range(LIMITS.max_filter_values + 1))), "values of 'speaker'"),
    (dict(years=(12345,)), "'year' must be a four-digit year"),
    (dict(answers=("maybe",)), "'answer' must be one of deflection, substantive"),
    (dict(sort="random"), "'sort' must be one of"),
    (dict(scope="title"), "'scope' must be one of"),
    (dict(scope="questions"), "'scope' must be one of both, question, answer"),     # a URL spelling only
    (dict(per_page="10"), "'per_page' must be a whole number"),
    (dict(page=True), "'page'"),
    (dict(date_from="2020-01-01"), "'date_from' must be a date"),
])
def test_a_request_breaking_a_rule_is_a_query_error_naming_it(kw, message):
    with pytest.raises(QueryError, match=message):
        validate_request(SearchRequest(**kw), LIMITS)


@pytest.mark.parametrize("request_", [
    SearchRequest(), SearchRequest(q="  trade  ", speakers=("Zhao Lijian", "Zhao Lijian"), years=(2020, 2021)),
    SearchRequest(q="x", date_from=date(2021, 2, 1), date_to=date(2021, 1, 1), sort="newest", scope="answer",
                  page=LIMITS.max_page_depth, per_page=LIMITS.max_per_page, answers=("deflection",)),
])
def test_requests_within_the_rules_pass(request_):
    validate_request(request_, LIMITS)


def test_the_limits_are_the_settings_in_force():
    limits = dataclasses.replace(LIMITS, max_per_page=5)
    validate_request(SearchRequest(per_page=5), limits)
    with pytest.raises(QueryError, match="between 1 and 5"):
        validate_request(SearchRequest(per_page=6), limits)


@pytest.mark.parametrize("request_", [
    SearchRequest(q="trade", speakers=("A", "B"), years=(2019,), answers=("substantive",), scope="question",
                  sort="oldest", page=3, per_page=7, date_from=date(2020, 1, 1)),
    SearchRequest(roles=("Press Secretary",), outlets=("Reuters",), conferences=("c1",), date_to=date(2022, 5, 6)),
])
def test_arguments_of_a_request_read_back_as_the_same_request(request_):
    """request_arguments and parse_search_args are inverses: one description, read both ways."""
    args = request_arguments(request_)
    assert set(args) >= {f.name for f in FACET_TABLE}
    assert parse_search_args(args, LIMITS) == request_
    text = MultiDict([(k, str(x)) for k, v in args.items() if v is not None
                      for x in (v if isinstance(v, list) else [v])])
    assert parse_search_args(text, LIMITS) == request_       # as a query string

"""Test helpers: a tiny corpus where the same role is held by different people and one person changes roles
between conferences, with planted deflections (tests/test_search_roles.py, tests/test_insights_deflections.py)."""

from __future__ import annotations

from datetime import date

from searchsvc.models import KIND_QA, KIND_STATEMENT, Conference, Turn

PSAKI, KJP, SULLIVAN, ZHAO = "Jen Psaki", "Karine Jean-Pierre", "Jake Sullivan", "Zhao Lijian"
PRESS, DEPUTY, NSA, SPOKES = ("Press Secretary", "Principal Deputy Press Secretary", "National Security Advisor",
                              "Foreign Ministry Spokesperson")
DEFLECTING = "I'm not going to get ahead of the President on that."
LONG_HEDGE = ("I'd refer you to the Fed for the details, but let me say what we see. " +
              "Prices for food and energy rose this spring while wages grew faster in most states. " * 12)


def role_conferences() -> list[Conference]:
    """Three White House briefings (two Press Secretaries; Jean-Pierre first as deputy) and an MFA one."""
    return [
        Conference(
            id="2021-05-03-briefing-psaki-aaaa0001", title="Press Briefing by Press Secretary Jen Psaki",
            date=date(2021, 5, 3), source_url="https://example.org/wh/1", source_file="wh/1.md",
            source_format="whitehouse", officials=(PSAKI, KJP), roles=((PSAKI, PRESS), (KJP, DEPUTY)),
            turns=[
                Turn(0, KIND_STATEMENT, "", "", (PSAKI,), "Good afternoon. Inflation is on everyone's mind.", 3),
                Turn(1, KIND_QA, "Reuters", "Is inflation transitory?", (PSAKI,),
                     "Our economists expect inflation to be transitory as supply chains recover and ports reopen.", 5),
                Turn(2, KIND_QA, "AP", "Will the President name a Fed chair this week?", (PSAKI,), DEFLECTING, 7),
                Turn(3, KIND_QA, "AP", "What about inflation in housing?", (KJP,),
                     "Housing inflation is a concern; rents rose in many cities and we are working on supply.", 9),
            ]),
        Conference(
            id="2021-06-01-briefing-psaki-sullivan-aaaa0002",
            title="Press Briefing by Press Secretary Jen Psaki and National Security Advisor Jake Sullivan",
            date=date(2021, 6, 1), source_url="https://example.org/wh/2", source_file="wh/2.md",
            source_format="whitehouse", officials=(PSAKI, SULLIVAN), roles=((PSAKI, PRESS), (SULLIVAN, NSA)),
            turns=[
                Turn(0, KIND_QA, "Reuters", "Does inflation affect the summit?", (SULLIVAN, PSAKI),
                     "Inflation will not change the summit agenda, which is about security.", 3),
                Turn(1, KIND_QA, "Bloomberg", "Any response on the pipeline?", (SULLIVAN,),
                     "I don't have anything for you on that.", 5),
                Turn(2, KIND_QA, "Reuters", "And prices?", ("Unknown Official",), LONG_HEDGE, 7),
            ]),
        Conference(
            id="2023-03-01-briefing-jean-pierre-aaaa0003", title="Press Briefing by Press Secretary Karine Jean-Pierre",
            date=date(2023, 3, 1), source_url="https://example.org/wh/3", source_file="wh/3.md",
            source_format="whitehouse", officials=(KJP,), roles=((KJP, PRESS),),
            turns=[
                Turn(0, KIND_QA, "Reuters", "Inflation numbers came out today?", (KJP,),
                     "Inflation has come down for eight months in a row, and wages are up.", 3),
                Turn(1, KIND_QA, "AP", "Will he veto the bill?", (KJP,), DEFLECTING, 5),
            ]),
        Conference(
            id="2020-07-03-regular-press-conference-aaaa0004",
            title="Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on July 3, 2020",
            date=date(2020, 7, 3), source_url="https://example.org/mfa/1", source_file="mfa/1.html",
            source_format="mfa", officials=(ZHAO,), roles=((ZHAO, SPOKES),),
            turns=[
                Turn(0, KIND_QA, "AFP", "Can you confirm the drill near Taiwan?", (ZHAO,),
                     "I'd refer you to the competent authorities.", 3),
                Turn(1, KIND_QA, "Reuters", "What about Taiwan and inflation?", (ZHAO,),
                     "Taiwan is part of China. Prices in China are stable and inflation is low.", 5),
            ]),
    ]


def build_role_index(settings):
    """Index role_conferences() into `settings`' index folder."""
    from searchsvc.index.build import rebuild_from_conferences
    return rebuild_from_conferences(settings, role_conferences())

"""Reading the roster survey's plain form post (the page without JavaScript)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from mobilise.web.routes.survey import _posted

KEYS = st.sampled_from(
    [
        "a.works_together",
        "b.works_together",
        "a.level",
        "a.frequency",
        "b.trust_purpose",
        "a.value_influence",
        "contributions",
        "achievements",
        "comment",
        "action",
        "a",
        "a.b.c",
    ]
) | st.text(max_size=12)
VALUES = st.sampled_from(["yes", "no", "", "1", "3", "4", "9", "submit", "save", "٣"]) | st.text(
    max_size=20
)


@given(st.lists(st.tuples(KEYS, VALUES), max_size=30))
def test_any_form_post_reads_as_answers_for_the_workspace_to_check(items):
    body = _posted(FormData(items))
    for partner_id, answer in body.answers.items():
        works = [v for k, v in items if k == f"{partner_id}.works_together" and v in ("yes", "no")]
        assert answer["works_together"] == (works[-1] == "yes")
        if not answer["works_together"]:
            assert set(answer) == {"works_together"}  # "no" drops the follow-up questions
        for name, value in answer.items():
            assert name == "works_together" or isinstance(value, int | str)
    assert len(body.comment) <= 5000
    assert body.submit == (dict(items).get("action") == "submit")


def test_a_form_post_as_the_page_sends_it():
    body = _posted(
        FormData(
            [
                ("p1.works_together", "yes"),
                ("p1.frequency", "3"),
                ("p1.level", "2"),
                ("p1.trust_openness", ""),  # don't know
                ("p2.works_together", "no"),
                ("p2.level", "1"),
                ("contributions", "data"),
                ("contributions", "spaces"),
                ("comment", "x" * 6000),
                ("action", "save"),
            ]
        )
    )
    assert body.answers == {
        "p1": {"works_together": True, "frequency": 3, "level": 2},
        "p2": {"works_together": False},
    }
    assert body.contributions == ["data", "spaces"] and body.achievements == []
    assert len(body.comment) == 5000 and body.submit is False

import pytest
from django.core.exceptions import ValidationError

from training.quiz import quiz_parse, score


def test_quiz_text_parses_questions_and_correct_answers():
    questions = quiz_parse("Q: Pick two\n[x] A\n[X] B\n[ ] C\n\nQ: Pick one\n[ ] D\n[x] E\n")
    assert [(q.text, q.options) for q in questions] == [
        ("Pick two", [("A", True), ("B", True), ("C", False)]),
        ("Pick one", [("D", False), ("E", True)]),
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("Q: Alone\n[x] Only", "Question 1 needs at least two answer options."),
        ("Q: None right\n[ ] A\n[ ] B", "Question 1 needs at least one correct answer"),
        ("[x] A\nQ: later\n[x] B\n[ ] C", "Line 1: an answer option before the first question"),
        ("Q: ok\n[x] A\n[ ] B\nsomething else", "Line 4: start the line with"),
    ],
)
def test_bad_quiz_text_names_the_problem(text, message):
    with pytest.raises(ValidationError) as error:
        quiz_parse(text)
    assert any(message in m for m in error.value.messages)


def test_score_counts_exactly_right_questions_in_whole_percent():
    correct = {1: {10}, 2: {20, 21}, 3: {30}}
    assert score(correct, {1: {10}, 2: {20, 21}, 3: {30}}) == 100
    assert score(correct, {1: {10}, 2: {20}, 3: {30}}) == 66
    assert score(correct, {1: {10, 11}, 2: {20, 21}, 3: set()}) == 33

"""A module's quiz as its writers type it, and scoring.

The quiz is written as plain text, one line each (works without JavaScript, diff-able in the history)::

    Q: What do you do with a suspicious e-mail?
    [x] Report it to security@
    [ ] Open the attachment to check

A question needs at least two options and at least one correct; several may be correct. An answer to a question
is right when exactly its correct options are ticked. The score is the share of right answers, rounded down.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_QUESTIONS = 50
MAX_OPTIONS = 10


@dataclass
class QuestionData:
    text: str
    options: list[tuple[str, bool]] = field(default_factory=list)  # (text, correct)


def quiz_parse(text: str) -> list[QuestionData]:
    """The questions of the quiz text; ValidationError naming every problem (with its line)."""
    questions: list[QuestionData] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        head = line[:3].lower()
        if line[:2].lower() == "q:":
            body = line[2:].strip()
            if not body:
                errors.append(_("Line %(n)d: the question has no text.") % {"n": number})
            questions.append(QuestionData(text=body[:500]))
        elif head in ("[x]", "[ ]"):
            body = line[3:].strip()
            if not questions:
                errors.append(
                    _("Line %(n)d: an answer option before the first question (start with “Q:”).") % {"n": number}
                )
                continue
            if not body:
                errors.append(_("Line %(n)d: the answer option has no text.") % {"n": number})
            questions[-1].options.append((body[:300], head == "[x]"))
        else:
            errors.append(
                _("Line %(n)d: start the line with “Q:” (a question), “[x]” (a correct answer) or “[ ]” (a wrong one).")
                % {"n": number}
            )
    if len(questions) > MAX_QUESTIONS:
        errors.append(_("At most %(n)d questions.") % {"n": MAX_QUESTIONS})
    for index, question in enumerate(questions, 1):
        if len(question.options) < 2:
            errors.append(_("Question %(n)d needs at least two answer options.") % {"n": index})
        elif len(question.options) > MAX_OPTIONS:
            errors.append(_("Question %(n)d has more than %(max)d answer options.") % {"n": index, "max": MAX_OPTIONS})
        if question.options and not any(correct for _text, correct in question.options):
            errors.append(_("Question %(n)d needs at least one correct answer, marked “[x]”.") % {"n": index})
    if errors:
        raise ValidationError(errors)
    return questions


class _StoredOption(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def correct(self) -> bool: ...


class _Options(Protocol):
    def all(self) -> Iterable[_StoredOption]: ...


class StoredQuestion(Protocol):
    """A stored question (``models.Question``) or one shaped like it."""

    @property
    def text(self) -> str: ...
    @property
    def options(self) -> _Options: ...


def quiz_text(questions: Iterable[StoredQuestion]) -> str:
    """The text form of stored questions (with prefetched options), for the edit form."""
    blocks = []
    for question in questions:
        lines = [f"Q: {question.text}"]
        for option in question.options.all():
            lines.append(f"[{'x' if option.correct else ' '}] {option.text}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def score(correct: Mapping[int, set[int]], answers: Mapping[int, set[int]]) -> int:
    """Whole percent of questions answered exactly right (``correct``: question id → its correct option ids)."""
    if not correct:
        return 100
    right = sum(1 for question, options in correct.items() if set(answers.get(question, set())) == options)
    return right * 100 // len(correct)

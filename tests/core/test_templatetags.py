"""The ``overdue_on`` filter: a template asks the item's model whether it is overdue."""

import datetime as dt

from django.template import Context, Template

TODAY = dt.date(2026, 6, 15)


class Duty:
    def __init__(self, overdue: bool) -> None:
        self.overdue = overdue
        self.asked: list[dt.date] = []

    def is_overdue(self, today: dt.date) -> bool:
        self.asked.append(today)
        return self.overdue


def _render(duty: Duty, today: object) -> str:
    template = Template("{% load due %}{% if duty|overdue_on:today %}overdue{% else %}on time{% endif %}")
    return template.render(Context({"duty": duty, "today": today}))


def test_the_model_answers_for_the_day_the_page_shows():
    late, fine = Duty(overdue=True), Duty(overdue=False)
    assert _render(late, TODAY) == "overdue"
    assert _render(fine, TODAY) == "on time"
    assert late.asked == [TODAY]


def test_a_page_without_a_day_shows_nothing_as_overdue():
    duty = Duty(overdue=True)
    assert _render(duty, None) == "on time"
    assert duty.asked == []

"""What an approver sees changed between the text in force and the new version."""

from policies.compare import Line, line_changes


def test_changed_lines_with_one_line_of_context_and_gaps_between():
    old = "\n".join(["# Policy", "a", "b", "c", "d", "e", "f", "g"])
    new = "\n".join(["# Policy", "a", "B", "c", "d", "e", "f", "g", "h"])
    assert line_changes(old, new) == [
        Line("same", "a"),
        Line("removed", "b"),
        Line("added", "B"),
        Line("same", "c"),
        Line("gap", "…"),
        Line("same", "g"),
        Line("added", "h"),
    ]


def test_same_text_has_no_changes():
    assert line_changes("same\ntext", "same\ntext") == []

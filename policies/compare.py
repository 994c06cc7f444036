"""What changed between two texts of a policy, line by line, for the people who approve and publish."""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added", "removed" or "gap" (unchanged lines left out)
    text: str


def line_changes(old: str, new: str, context: int = 1) -> list[Line]:
    """The changed lines of ``new`` against ``old`` with ``context`` unchanged lines around each change."""
    before, after = old.splitlines(), new.splitlines()
    lines: list[Line] = []
    for group in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(Line("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [Line("same", text) for text in before[i1:i2]]
                continue
            lines += [Line("removed", text) for text in before[i1:i2]]
            lines += [Line("added", text) for text in after[j1:j2]]
    return lines

"""One action item: who does what by when, tracked until closed.

Treatment actions (``risks.TreatmentAction``), corrective actions (``incidents.CorrectiveAction``) and review
action items (``reviews.ActionItem``) are one thing in three places; so will be vulnerability remediations,
access-review revocations, DR-test findings and supplier follow-ups. This package holds what they share, so a
new kind of action is a table, a policy and a few lines of glue:

- ``actions.models``: the abstract ``ActionItem`` (title, due date, ``completed_at``, ordering by
  due date, ``is_closed``, ``is_overdue(today)``, ``closed_at_stamp``) and the field helpers ``action_owner`` and
  ``action_status`` for the two fields whose options differ per table (the owner's reverse name; each table's
  status choices and first state). The status values are shared in ``ActionStatus``; a table's own ``Status``
  takes those it uses and may add its own (reviews add "dropped" and list it in ``CLOSED``). Each table keeps
  its columns as they are: reviews close into ``closed_at`` (``completed_at = None``, ``closed_field``).
- ``actions.services``: the writes an app's own services call after their permission checks (the policies stay
  in each app): ``action_item_create``, ``action_item_status_set`` and ``action_items_hand_over``. Each is
  keyword-only, atomic and audited with ``audit.record`` under the app's own action names (``risk.action_added``)
  on the record the app chooses (the risk, the incident, the action itself).
- ``actions.reminders``: ``action_items_due``, the reminder producer body (owner told when an open action is
  due within ``ACTION_DAYS`` days or overdue, once per due date).
- ``templates/components/action_items.html``: the list (owner, due date, status, overdue badge, status form)
  and the add form; a page includes it with its own URLs and permission flags.

Layering: this package sits above ``notifications`` (reminders) and the base apps (it records audit events,
which ``core`` may not), below every feature app; see ``[tool.importlinter]`` in pyproject.toml.
"""

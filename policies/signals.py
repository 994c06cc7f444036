"""What the policies app tells other apps (training re-assigns acknowledgements, onboarding sets).

The signals are sent **inside** the transaction of the service that caused them, after its rows
are written: a receiver sees the new state, its writes commit or roll back together with the
publish/acknowledgement/update, and a receiver that raises aborts the whole action. Receivers that do
something outside the database (e-mail, Celery tasks) wrap it in ``transaction.on_commit``.
"""

from django.dispatch import Signal

# A version became the published one: sent with ``version=`` (the PolicyVersion, status published;
# the previously published version is already retired) and ``by=`` (the User who published).
version_published = Signal()

# A person acknowledged a published version for the first time: sent with ``acknowledgement=``
# (the new Acknowledgement). Not sent again when the same person acknowledges the same version twice.
version_acknowledged = Signal()

# A policy's audience changed (``policy_update``): sent with ``policy=`` (saved, new audience) and ``by=`` (the User).
audience_changed = Signal()

# The published version was withdrawn with no successor (``policy_version_retire``): sent with ``version=``
# (now retired) and ``by=``. Nobody can acknowledge it any more.
version_retired = Signal()

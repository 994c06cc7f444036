"""E-mail leaves through a worker: a service queues it for after its transaction commits, SMTP never runs in a request.

A refused or timed-out delivery is retried by the worker (``core.tasks.email_send``). Mail whose content must
not travel through the broker (a one-time link) has its own task that rebuilds the content, as invitations do.
"""

from collections.abc import Sequence

from .fanout import tenant_task_enqueue


def email_queue(*, subject: str, body: str, recipients: Sequence[str]) -> None:
    """Send one plain-text e-mail from the current tenant once the current transaction commits."""
    from .tasks import email_send

    tenant_task_enqueue(email_send, args=[str(subject), str(body), [str(address) for address in recipients]])

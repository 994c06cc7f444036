"""Mail sent by the worker: SMTP stays out of the request, and a failed delivery is retried."""

from smtplib import SMTPException

from celery import shared_task

from core.tasks import TRANSIENT_ERRORS, TenantTask

from . import services


@shared_task(
    base=TenantTask,
    bind=True,
    autoretry_for=(*TRANSIENT_ERRORS, SMTPException, OSError),
    retry_backoff=True,
    max_retries=6,
)
def invitation_send(self: TenantTask, invitation_id: int, host: str) -> bool:
    """Mail invitation ``invitation_id`` its link. Only the id travels: the link is rebuilt here."""
    return services.invitation_send(invitation_id=invitation_id, host=host)

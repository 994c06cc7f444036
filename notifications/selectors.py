"""Reads of the notifications app: a person only ever reads their own."""

from django.db.models import QuerySet

from accounts.models import User

from .models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")

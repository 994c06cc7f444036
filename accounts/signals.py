"""What the accounts app tells other apps."""

from django.dispatch import Signal

# A person joined the tenant by accepting an invitation: sent with ``user=`` inside the accepting transaction
# (training assigns the onboarding set).
user_joined = Signal()

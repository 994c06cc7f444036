"""What the accounts app tells other apps."""

from django.dispatch import Signal

# A person joined the tenant by accepting an invitation: sent with ``user=`` inside the accepting transaction
# (training assigns the onboarding set).
user_joined = Signal()

# A person's roles changed (``user_roles_set``): sent with ``user=`` (roles already saved) and ``by=`` inside the
# transaction (training withdraws acknowledgements no longer addressed to them and asks for the newly addressed).
roles_changed = Signal()

# A person's account was locked after failed logins from any addresses (``lockout.login_failure_register``): sent
# with ``user=`` and ``lock=`` inside the locking transaction (notifications tells the person and the Admins).
account_locked = Signal()

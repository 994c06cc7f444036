from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Login by e-mail address, whatever case the person types it in."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Please enter a correct e-mail address and password. The password is case-sensitive."),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username") or "").strip().lower()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget = forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})

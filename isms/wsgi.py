"""WSGI entry point (gunicorn in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")
application = get_wsgi_application()

# gunicorn skips `manage.py check`: refuse to serve with a configuration that leaks one-time links.
from core.checks import refuse_unsafe_start  # noqa: E402  (needs the settings loaded above)

refuse_unsafe_start()

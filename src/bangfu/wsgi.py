import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
application = get_wsgi_application()

# However the server is started (bangfu serve, or a WSGI server pointed here), it refuses a key file that does
# not belong to the database before it answers anybody.
from bangfu.keyring.services import key_guard  # noqa: E402

key_guard()

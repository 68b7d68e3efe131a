import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
application = get_wsgi_application()

# However the server is started (bangfu serve, or a WSGI server pointed here), it refuses a key file that does
# not belong to the database before it answers anybody.
from bangfu.keyring.services import key_guard  # noqa: E402

key_guard()

# While it serves, it holds a lease in the database (renewed by a thread, removed at exit): `bangfu rotate-key`
# refuses to run under a live server.
from bangfu.keyring.leases import process_lease_start  # noqa: E402

process_lease_start("server")

import os

from django.core.wsgi import get_wsgi_application

from workflows.frontdoor import FrontDoor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# signed trigger URLs skip the middleware chain: see workflows/frontdoor.py
application = FrontDoor(get_wsgi_application())

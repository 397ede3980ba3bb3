"""The web app (``scanpipe serve``): FastAPI + Jinja2 pages over the library API."""

from scanpipe.web.app import create_app
from scanpipe.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]

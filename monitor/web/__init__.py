"""The dashboard (Flask, server-rendered, read-only) and the process that serves it."""
from monitor.web.app import create_app

__all__ = ["create_app"]

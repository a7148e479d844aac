"""The REST API front door (FastAPI): ``create_app`` in ``app.py``; ``trailhound serve`` runs it."""

"""The web console: server-rendered pages over the application object, behind a session."""

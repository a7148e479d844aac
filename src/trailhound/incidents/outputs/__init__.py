"""Alert destinations: an Output protocol and registry (base.py), one module per destination."""

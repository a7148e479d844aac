"""Sigma rules: loaded (loader), fields resolved as queries resolve them (pipeline), compiled."""

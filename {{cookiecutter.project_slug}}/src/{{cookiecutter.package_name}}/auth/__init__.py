"""Accounts that sign in: passwords stored as Argon2id hashes (passwords.py), signed access
tokens (tokens.py), refresh tokens (refresh.py), sign-in limits (throttle.py), and each
route's declaration of who may call it (access.py), whose refusals the OpenAPI document
lists (refusals.py)."""

"""Accounts that sign in: passwords stored as Argon2id hashes (passwords.py), signed access
tokens (tokens.py), and each route's declaration of who may call it (access.py)."""

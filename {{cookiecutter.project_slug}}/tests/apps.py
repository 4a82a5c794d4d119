"""The app as the tests call it{% if cookiecutter.auth == "password" %}: by an admin, who sees every user's rows and need not
show a token. Ownership and access have guards of their own, whose callers do show tokens
(the `tokens` mark, conftest.py){% endif %}."""

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.app import create_app
{%- if cookiecutter.auth == "password" %}
from {{ cookiecutter.package_name }}.auth.access import signed_in
from {{ cookiecutter.package_name }}.auth.tokens import Caller
{%- endif %}
from {{ cookiecutter.package_name }}.settings import Settings
{%- if cookiecutter.auth == "password" %}

ADMIN = Caller(account_id=0, user_id=0, role="admin")
{%- endif %}


def app_of(settings: Settings) -> FastAPI:
    app = create_app(settings)
{%- if cookiecutter.auth == "password" %}
    app.dependency_overrides[signed_in] = lambda: ADMIN
{%- endif %}
    return app

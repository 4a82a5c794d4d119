"""Every model, imported from this one module path so each table is defined exactly once.

The app, Alembic and the tests all import models from here.
"""

{% if cookiecutter.auth == "password" -%}
from .account import Account
{% endif -%}
from .project import Project
{% if cookiecutter.auth == "password" -%}
from .refresh_token import refresh_tokens
from .sign_in_attempt import sign_in_attempts
{% endif -%}
from .tag import Tag, task_tags
from .task import Task
from .user import User

__all__ = [
{%- if cookiecutter.auth == "password" %}
    "Account",
{%- endif %}
    "Project",
    "Tag",
    "Task",
    "User",
{%- if cookiecutter.auth == "password" %}
    "refresh_tokens",
    "sign_in_attempts",
{%- endif %}
    "task_tags",
]

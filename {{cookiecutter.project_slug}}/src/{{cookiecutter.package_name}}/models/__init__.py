"""Every model, imported from this one module path so each table is defined exactly once.

The app, Alembic and the tests all import models from here.
"""

{% if cookiecutter.auth == "password" -%}
from .account import Account
{% endif -%}
from .project import Project
{% if cookiecutter.auth == "password" -%}
from .refresh_token import refresh_tokens
{% endif -%}
from .tag import Tag, task_tags
from .task import Task
from .user import User

__all__ = [{% if cookiecutter.auth == "password" %}"Account", {% endif %}"Project", "Tag", "Task", "User", {% if cookiecutter.auth == "password" %}"refresh_tokens", {% endif %}"task_tags"]

"""API contracts: <Model>Create, <Model>Update and <Model>Read for every model.

The tests check that every column of every model appears in its <Model>Read, except the
columns a model marks private with mapped_column(info={"private": True}).
"""

{% if cookiecutter.auth == "password" -%}
from .account import AccessToken, AccountCreate, AccountRead, Refresh, RefreshToken, SignIn
{% endif -%}
from .common import INTEGER_MAX, Id, WrittenPlainly
from .page import Page, PageOfRows
from .project import ProjectCreate, ProjectRead, ProjectUpdate
from .tag import TagCreate, TagRead, TagUpdate
from .task import TaskCreate, TaskRead, TaskUpdate
from .user import UserCreate, UserRead, UserUpdate

__all__ = [
    "INTEGER_MAX",
{%- if cookiecutter.auth == "password" %}
    "AccessToken",
    "AccountCreate",
    "AccountRead",
{%- endif %}
    "Id",
    "Page",
    "PageOfRows",
    "ProjectCreate",
    "ProjectRead",
    "ProjectUpdate",
{%- if cookiecutter.auth == "password" %}
    "Refresh",
    "RefreshToken",
    "SignIn",
{%- endif %}
    "TagCreate",
    "TagRead",
    "TagUpdate",
    "TaskCreate",
    "TaskRead",
    "TaskUpdate",
    "UserCreate",
    "UserRead",
    "UserUpdate",
    "WrittenPlainly",
]

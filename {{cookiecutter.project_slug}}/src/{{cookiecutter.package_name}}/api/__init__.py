"""The HTTP API: one router per resource, mounted side by side by the app."""

from fastapi import APIRouter

from . import {% if cookiecutter.auth == "password" %}accounts, {% endif %}health, projects, tags, tasks, users

routers: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        health,
{%- if cookiecutter.auth == "password" %}
        accounts,
{%- endif %}
        users,
        projects,
        tasks,
        tags,
    )
)

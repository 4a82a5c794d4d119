from fastapi import APIRouter

from . import health, projects, tags, tasks, users

router = APIRouter()
for module in (health, users, projects, tasks, tags):
    router.include_router(module.router)

from fastapi import APIRouter

from ..errors import ANY_ERROR
from . import health, projects, tags, tasks, users

router = APIRouter(responses=ANY_ERROR)
for module in (health, users, projects, tasks, tags):
    router.include_router(module.router)

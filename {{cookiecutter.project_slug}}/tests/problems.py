"""What an error body may not say: what only the code behind the API knows (a traceback, the
driver's or SQLAlchemy's words, a statement)."""

import re

from tests.database import DRIVER

INTERNALS = re.compile(
    rf"Traceback|{DRIVER}|sqlalchemy|\[SQL: |Background on this error|DETAIL: |constraint failed",
    re.IGNORECASE,
)

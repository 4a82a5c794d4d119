"""Import the models once, recording warnings instead of raising them.

With warnings as errors, a model that SQLAlchemy warns about (an attribute named `metadata`,
say) would stop pytest at an import error; recorded, the guard tests can name it instead.
pytest imports this package before conftest.py and any test module imports the models.
"""

import warnings

with warnings.catch_warnings(record=True) as import_warnings:
    warnings.simplefilter("always")
    from {{ cookiecutter.package_name }} import models  # noqa: F401

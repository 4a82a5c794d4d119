"""Guards over every mapped class: a model added later is checked without editing these tests."""

from typing import Any

import pytest
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Mapper

from {{ cookiecutter.package_name }} import schemas
from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.db.base import Base

from tests import import_warnings

MAPPERS = sorted(Base.registry.mappers, key=lambda mapper: mapper.class_.__name__)
RESERVED = ("metadata", "registry")


def ids(mapper: Mapper[object]) -> str:
    return mapper.class_.__name__


def test_models_import_without_sqlalchemy_warnings() -> None:
    messages = [str(w.message) for w in import_warnings if issubclass(w.category, SAWarning)]
    assert not messages, "importing the models raised SQLAlchemy warnings:\n" + "\n".join(messages)


@pytest.mark.parametrize("mapper", MAPPERS, ids=ids)
def test_no_reserved_attribute_names(mapper: Mapper[object]) -> None:
    model = mapper.class_.__name__
    for name in RESERVED:
        assert name not in mapper.all_orm_descriptors, (
            f"{model}.{name}: '{name}' is reserved by SQLAlchemy's declarative API and breaks "
            f"{model}.{name} for every tool that reads it. Rename the attribute and keep the "
            f'column name: {model.lower()}_{name}: Mapped[...] = mapped_column("{name}", ...)'
        )


@pytest.mark.parametrize("mapper", MAPPERS, ids=ids)
def test_relationships_never_lazy_load(mapper: Mapper[object]) -> None:
    for relationship in mapper.relationships:
        assert relationship.lazy in ("raise", "raise_on_sql"), (
            f"{relationship}: lazy={relationship.lazy!r} loads on first access, after the session "
            "may be closed. Declare lazy='raise' and load it in the query with selectinload()."
        )


@pytest.mark.parametrize("mapper", MAPPERS, ids=ids)
def test_read_schema_lists_every_column(mapper: Mapper[object]) -> None:
    model = mapper.class_.__name__
    read = getattr(schemas, f"{model}Read", None)
    assert read is not None, f"{model} has no {model}Read in {schemas.__name__}"
    public = [c.key for c in mapper.column_attrs if not c.columns[0].info.get("private")]
    missing = [key for key in public if key not in read.model_fields]
    assert not missing, (
        f"{model}Read lacks {model}.{', '.join(missing)}: add the field(s) to {model}Read, or "
        'mark the column private with mapped_column(..., info={"private": True})'
    )


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The app's OpenAPI document."""
    return create_app().openapi()


@pytest.mark.parametrize("mapper", MAPPERS, ids=ids)
def test_updates_take_null_only_where_a_column_holds_it(
    mapper: Mapper[object], document: dict[str, Any]
) -> None:
    model = mapper.class_.__name__
    update = document["components"]["schemas"].get(f"{model}Update", {"properties": {}})
    nullable = {c.key: c.columns[0].nullable for c in mapper.column_attrs}
    for field, schema in update["properties"].items():
        takes_null = any(option.get("type") == "null" for option in schema.get("anyOf", ()))
        assert not takes_null or nullable.get(field, False), (
            f"{model}Update.{field} takes null by the OpenAPI document, but {model}.{field} "
            f"cannot hold it, so a client that sends it fails. Declare it "
            f"`{field}: ... | MISSING = MISSING` (left out: unchanged), not `| None = None`"
        )


@pytest.fixture(scope="module")
def answered(document: dict[str, Any]) -> set[str]:
    """The schemas some operation answers with on success, by name."""
    paths = document["paths"]
    return {
        response["content"]["application/json"]["schema"].get("$ref", "").rpartition("/")[2]
        for operations in paths.values()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        if status.startswith("2") and "content" in response
    }


@pytest.mark.parametrize("mapper", MAPPERS, ids=ids)
def test_some_route_answers_each_model(mapper: Mapper[object], answered: set[str]) -> None:
    read = f"{mapper.class_.__name__}Read"
    assert read in answered, (
        f"no route answers {read}: write its router in api/ and add the module to routers in "
        "api/__init__.py"
    )


@pytest.mark.parametrize("table", sorted(Base.metadata.tables.values(), key=str), ids=str)
def test_foreign_keys_state_ondelete(table: object) -> None:
    for fk in Base.metadata.tables[str(table)].foreign_keys:
        assert fk.ondelete, (
            f"{fk.parent}: ForeignKey({fk.target_fullname!r}) has no ondelete policy. State it: "
            "ondelete='CASCADE' for owned rows, 'SET NULL' for optional references, "
            "'RESTRICT' to forbid the delete"
        )

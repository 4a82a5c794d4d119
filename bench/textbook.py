"""The textbook FastAPI + SQLAlchemy app: the benchmark's baseline.

Written as the tutorials write it: a module-level engine and `SessionLocal`, a `get_db`
dependency that yields and closes, `db.commit()` and `db.refresh()` in the route, the
database's default settings (no WAL on SQLite). Same table and the same three operations as
the generated service's tags. DATABASE_URL names the database; the schema is created at import.
"""

import os

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = os.environ["DATABASE_URL"]
connect_args = {"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {}
engine = create_engine(DATABASE_URL, connect_args=connect_args)
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(50), unique=True, index=True)


Base.metadata.create_all(bind=engine)


class TagCreate(BaseModel):
    name: str


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.post("/tags", response_model=TagRead, status_code=201)
def create_tag(tag: TagCreate, db: Session = Depends(get_db)) -> Tag:  # noqa: B008
    db_tag = Tag(name=tag.name)
    db.add(db_tag)
    db.commit()
    db.refresh(db_tag)
    return db_tag


@app.get("/tags/{tag_id}", response_model=TagRead)
def read_tag(tag_id: int, db: Session = Depends(get_db)) -> Tag:  # noqa: B008
    db_tag = db.get(Tag, tag_id)
    if db_tag is None:
        raise HTTPException(status_code=404, detail="Tag not found")
    return db_tag


@app.get("/tags", response_model=list[TagRead])
def read_tags(skip: int = 0, limit: int = 100, db: Session = Depends(get_db)) -> list[Tag]:  # noqa: B008
    return list(db.scalars(select(Tag).offset(skip).limit(limit)))

"""What the API does with the database: coroutines of an `AsyncSession`.

Each takes the session first and everything else by keyword. They add, change and flush; they
never commit: `Database.write` commits once the coroutine has returned. Every load is
planned (`selectinload`, relationships are `lazy="raise"`): an attribute that would load
implicitly raises instead of doing IO the event loop cannot wait for. Logic beyond CRUD goes
here too, so routes stay a line each and tests can call services without HTTP.
"""

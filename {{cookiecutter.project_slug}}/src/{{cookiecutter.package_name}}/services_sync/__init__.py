"""What the API does with the database: plain synchronous functions of a session.

Each takes the session first and everything else by keyword. They add, change and flush; they
never commit: `Database.write` commits once the function has returned. Logic beyond CRUD goes
here too, so routes stay a line each and tests can call services without HTTP.
"""

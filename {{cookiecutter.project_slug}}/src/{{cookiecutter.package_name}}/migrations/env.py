from {{ cookiecutter.package_name }}.db.migrate import run_migrations

run_migrations()

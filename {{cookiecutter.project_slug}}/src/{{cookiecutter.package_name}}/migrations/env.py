from {{ cookiecutter.package_name }}.maintenance.environment import run_migrations

run_migrations()

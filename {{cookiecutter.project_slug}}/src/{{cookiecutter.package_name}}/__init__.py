{{ cookiecutter.description | python_string }}

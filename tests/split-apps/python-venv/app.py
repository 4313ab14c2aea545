"""A Flask app served by gunicorn from a virtualenv."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "python-venv: hello from flask\n", 200, {"Content-Type": "text/plain"}

"""Run as `python -m svc`, found through PYTHONPATH=/app/src."""
from waitress import serve


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"python-pythonpath: served from /app/src\n"]


serve(app, host="127.0.0.1", port=8096)

"""A WSGI app served by waitress that writes to its data folder on every
request: the folder must be writable by the user the image runs as."""
import os

from waitress import serve

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def app(environ, start_response):
    note = os.path.join(DATA, "last-request.txt")
    try:
        with open(note, "w") as f:
            f.write(environ.get("PATH_INFO", "/"))
    except OSError as e:
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [f"python-data: cannot write {note}: {e.strerror}\n".encode()]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"python-data: saved the request in data/last-request.txt\n"]


if __name__ == "__main__":
    serve(app, host="127.0.0.1", port=8080)

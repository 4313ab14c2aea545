"""A WSGI app served by waitress as the user the Dockerfile creates; it
answers with that user's name and a variable the Dockerfile sets."""
import os
import pwd

from waitress import serve


def app(environ, start_response):
    user = pwd.getpwuid(os.getuid()).pw_name
    greeting = os.environ.get("APP_GREETING", "unset")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"python-user: {greeting} from {user}\n".encode()]


if __name__ == "__main__":
    serve(app, host="127.0.0.1", port=8090)

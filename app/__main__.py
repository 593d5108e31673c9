"""`python -m app [options]`: serve the playground with waitress.

Waitress is a production WSGI server (Flask's development server is not meant for a
classroom). Every option also reads an environment variable (`PLAYGROUND_…`, the flag wins);
`--port 0` picks a free port. Binding anything but loopback prints a warning: the playground
has no accounts, so anyone who can reach the port can use it (docs/deploy.md).
`--workers N` starts N worker processes behind nginx instead (app/serve/classroom.py).
`--lessons DIR` also serves every lesson (`*.json`) in DIR; a lesson that does not validate
stops the start with the file, the step and the field named (docs/lessons.md).
"""

import argparse
import errno
import ipaddress
import logging
import os
import re
import signal
import socket
import sys

from . import create_app
from .capacity.limits import DEFAULTS, GB, MB
from .http.client import parse_networks
from .serve.malloc import limit_arenas
from .serve.server import SETTINGS, make_server


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def size(text):
    """'2G', '512M', '64k' or plain bytes → bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", str(text))
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 2G, 512M, 1000000)")
    scale = {"": 1, "k": 1024, "m": MB, "g": GB}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def names(text):
    return [n.strip() for n in str(text).split(",") if n.strip()]


def directories(text):
    """Comma-separated directories, made absolute (classroom workers run from the project root)."""
    return [os.path.abspath(os.path.expanduser(d)) for d in names(text)]


def networks(text):
    entries = names(text)
    try:
        parse_networks(entries)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return entries


def positive(kind, least=1):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < least or value <= 0 < least:
            raise argparse.ArgumentTypeError(f"{text!r} must be more than {least - 1}")
        return value
    return parse


def worker_name(text):
    from .serve.proxy import NAME

    if not NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: a lowercase letter, then up to 15 lowercase letters or digits")
    return text


def limit(text):
    """KEY=VALUE for any key of app/capacity/limits.py (the value read as the default's type)."""
    key, sep, value = str(text).partition("=")
    key = key.strip().upper()
    if not sep or key not in DEFAULTS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected KEY=VALUE with KEY one of {', '.join(DEFAULTS)}")
    default = DEFAULTS[key]
    try:
        parsed = (names(value) if isinstance(default, list) else
                  float(value) if isinstance(default, float) else
                  value if isinstance(default, str) else size(value))
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(f"{text!r}: not a value for {key}") from None
    return key, parsed


# flag, environment variable, destination, parser, default, help. The app-limit ones name
# their key in app/capacity/limits.py; docs/api.md ("Running the server") lists them all.
OPTIONS = [
    ("--host", "PLAYGROUND_HOST", "host", str, "127.0.0.1", "address to bind"),
    ("--port", "PLAYGROUND_PORT", "port", int, 8000, "port (0 picks a free one)"),
    ("--allowed-hosts", "PLAYGROUND_ALLOWED_HOSTS", "ALLOWED_HOSTS", names, [],
     "comma-separated host names to answer besides loopback names and IP addresses "
     "(e.g. playground.school.org, .school.org for every name under it; * for any)"),
    ("--threads", "PLAYGROUND_THREADS", "threads", positive(int), SETTINGS["threads"],
     "waitress threads (requests in flight; computing is one request at a time)"),
    ("--connection-limit", "PLAYGROUND_CONNECTION_LIMIT", "connection_limit", positive(int),
     SETTINGS["connection_limit"], "open connections at most (idle ones included)"),
    ("--channel-timeout", "PLAYGROUND_CHANNEL_TIMEOUT", "channel_timeout", positive(int),
     SETTINGS["channel_timeout"], "seconds before an idle or half-open connection is closed"),
    ("--client-connections", "PLAYGROUND_CLIENT_CONNECTIONS", "client_connections",
     positive(int), SETTINGS["client_connections"],
     "open connections of one client address at most (trusted proxies exempt)"),
    ("--header-timeout", "PLAYGROUND_HEADER_TIMEOUT", "header_timeout", positive(float),
     SETTINGS["header_timeout"], "seconds a request's headers may take after its first byte"),
    ("--max-sessions", "PLAYGROUND_MAX_SESSIONS", "MAX_SESSIONS", positive(int),
     DEFAULTS["MAX_SESSIONS"], "sessions at most"),
    ("--memory-budget", "PLAYGROUND_MEMORY_BUDGET", "MEMORY_BUDGET", size,
     DEFAULTS["MEMORY_BUDGET"], "estimated memory of all sessions together (e.g. 2G)"),
    ("--session-memory", "PLAYGROUND_SESSION_MEMORY", "SESSION_MEMORY", size,
     DEFAULTS["SESSION_MEMORY"], "estimated memory of one session at most (e.g. 128M)"),
    ("--client-sessions", "PLAYGROUND_CLIENT_SESSIONS", "CLIENT_SESSIONS", positive(int),
     DEFAULTS["CLIENT_SESSIONS"], "sessions of one client address at most"),
    ("--client-memory", "PLAYGROUND_CLIENT_MEMORY", "CLIENT_MEMORY", size,
     DEFAULTS["CLIENT_MEMORY"], "estimated memory of one client address's sessions at most"),
    ("--max-snapshot", "PLAYGROUND_MAX_SNAPSHOT", "MAX_SNAPSHOT_BYTES", size,
     DEFAULTS["MAX_SNAPSHOT_BYTES"], "memory one snapshot may take to build (e.g. 64M)"),
    ("--max-body", "PLAYGROUND_MAX_BODY", "MAX_CONTENT_LENGTH", size,
     DEFAULTS["MAX_CONTENT_LENGTH"], "request body size at most (e.g. 2M)"),
    ("--max-step-ms", "PLAYGROUND_MAX_STEP_MS", "MAX_STEP_MS", positive(float),
     DEFAULTS["MAX_STEP_MS"], "training and snapshot time of one step request at most"),
    ("--idle-timeout", "PLAYGROUND_IDLE_TIMEOUT", "SESSION_IDLE_TIMEOUT", positive(float),
     DEFAULTS["SESSION_IDLE_TIMEOUT"], "seconds before an unused session is forgotten"),
    ("--compute-slots", "PLAYGROUND_COMPUTE_SLOTS", "COMPUTE_SLOTS", positive(int),
     DEFAULTS["COMPUTE_SLOTS"], "requests computing at once"),
    ("--workers", "PLAYGROUND_WORKERS", "workers", positive(int, least=0), 0,
     "run this many worker processes behind nginx on --host/--port (0: one process, no proxy)"),
    ("--worker-name", "PLAYGROUND_WORKER_NAME", "WORKER_NAME", worker_name, "",
     "this worker's name, the prefix of its session ids, when a proxy routes to several"),
    ("--lessons", "PLAYGROUND_LESSONS", "LESSON_DIRS", directories, DEFAULTS["LESSON_DIRS"],
     "comma-separated directories whose *.json lessons are served besides the built-in ones"),
    ("--trusted-proxies", "PLAYGROUND_TRUSTED_PROXIES", "TRUSTED_PROXIES", networks, [],
     "comma-separated addresses (or networks) of proxies whose X-Real-IP header names the "
     "client (quotas count by it)"),
]


def _shown(default):
    if isinstance(default, list):
        return ",".join(default) or "none"
    if isinstance(default, int) and default >= MB and default % MB == 0:
        return f"{default // GB}G" if default % GB == 0 else f"{default // MB}M"
    return default


def parse_args(argv=None, environ=None):
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__.splitlines()[0])
    for flag, env, dest, kind, default, text in OPTIONS:
        parser.add_argument(flag, dest=dest, type=kind, default=None,
                            help=f"{text} (default {_shown(default)}; env {env})")
    parser.add_argument("--limit", dest="limits", type=limit, action="append", default=[],
                        metavar="KEY=VALUE",
                        help="any other limit of app/capacity/limits.py, e.g. --limit MAX_NEURONS=128 "
                             "(repeatable; env PLAYGROUND_LIMITS, comma-separated)")
    args = parser.parse_args(argv)
    # The environment fills what the command line left out, read with the same parsers.
    for flag, env, dest, kind, default, _ in OPTIONS:
        if getattr(args, dest) is None:
            value = default
            if environ.get(env, "").strip():
                try:
                    value = kind(environ[env])
                except (argparse.ArgumentTypeError, ValueError) as exc:
                    parser.error(f"{env}: {exc}")
            setattr(args, dest, value)
    if not args.limits and environ.get("PLAYGROUND_LIMITS", "").strip():
        try:
            args.limits = [limit(item) for item in environ["PLAYGROUND_LIMITS"].split(",")
                           if item.strip()]
        except argparse.ArgumentTypeError as exc:
            parser.error(f"PLAYGROUND_LIMITS: {exc}")
    return args


def app_config(args):
    """The app limits the options set (create_app's `config`)."""
    config = dict(args.limits)
    for _, _, dest, _, _, _ in OPTIONS:
        if dest.isupper():
            config[dest] = getattr(args, dest)
    return config


def server_settings(args):
    return {key: getattr(args, key) for key in SETTINGS}


def worker_arguments(args):
    """The options every worker of `--workers N` gets: all but where to listen (limits apply
    per worker)."""
    out = []
    for flag, _, dest, _, default, _ in OPTIONS:
        value = getattr(args, dest)
        if dest in ("host", "port", "workers", "WORKER_NAME") or value == default:
            continue
        out += [flag, ",".join(value) if isinstance(value, list) else str(value)]
    for key, value in args.limits:
        out += ["--limit", f"{key}={','.join(value) if isinstance(value, list) else value}"]
    return out


def raise_open_files_limit(needed):
    """Let the process hold `needed` descriptors (one per connection) if the hard limit allows."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux/macOS
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def bind_error(exc, host, port):
    """One friendly line for why the server could not listen (None: not a bind problem)."""
    if isinstance(exc, socket.gaierror):
        return f"error: cannot listen on {host!r}: not an address of this machine"
    if exc.errno == errno.EADDRINUSE:
        return (f"error: port {port} is already in use (another playground?): "
                f"try --port {port + 1 if port < 65535 else 8000}, or --port 0 for any free port")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"error: not allowed to listen on port {port}: use a port above 1023"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"error: cannot listen on {host}: not an address of this machine"
    return None


def _stop_on_signal(signum, frame):
    raise KeyboardInterrupt


def check_lessons(config):
    """The lessons' problem in one line (None: every lesson validates), before anything starts."""
    from .lessons import LessonError, load_library

    try:
        library = load_library(config["LESSON_DIRS"], {**DEFAULTS, **config})
    except LessonError as problem:
        return f"error: {problem}"
    if config["LESSON_DIRS"]:
        print(f"Lessons: {len(library)}, from the built-in ones and "
              f"{', '.join(config['LESSON_DIRS'])}", flush=True)
    return None


def main(argv=None):
    limit_arenas()   # before any thread of the server starts (serve/malloc.py)
    args = parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"error: port {args.port} is out of range", file=sys.stderr)
        return 2
    problem = check_lessons(app_config(args))   # a bad lesson stops the start, workers or not
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.workers:
        from .serve.classroom import run_classroom

        return run_classroom(args.workers, args.host, args.port, worker_arguments(args),
                             args.MAX_CONTENT_LENGTH)
    app = create_app(app_config(args))
    raise_open_files_limit(args.connection_limit + 64)
    # Requests waiting for a thread are normal under a class's load (the fair scheduler, not
    # the thread count, decides who computes): no warning per queued request.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        server = make_server(app, host=args.host, port=args.port, **server_settings(args))
    except OSError as exc:
        message = bind_error(exc, args.host, args.port)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Neural Network Playground running at http://{shown}:{server.effective_port}/",
          flush=True)
    if not is_loopback(args.host):
        print(f"warning: listening on {args.host}, not loopback: anyone who can reach this "
              "machine can use the playground (see docs/deploy.md)", file=sys.stderr, flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    signal.signal(signal.SIGTERM, _stop_on_signal)  # a supervisor's stop is a Ctrl+C too
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m app [--host H] [--port P] [--threads N]`: serve the playground with waitress.

Waitress is a production WSGI server (Flask's development server is not meant for a
classroom). Defaults come from PLAYGROUND_HOST / PLAYGROUND_PORT, else 127.0.0.1:8000;
`--port 0` picks a free port. Binding anything but loopback prints a warning: the playground
has no accounts, so anyone who can reach the port can use it.
"""

import argparse
import ipaddress
import os
import sys

from . import create_app
from .server import make_server


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("PLAYGROUND_HOST", "127.0.0.1"),
                        help="address to bind (default 127.0.0.1, env PLAYGROUND_HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PLAYGROUND_PORT", 8000)),
                        help="port (default 8000, env PLAYGROUND_PORT; 0 picks a free one)")
    parser.add_argument("--threads", type=int, default=8,
                        help="worker threads: sessions train in parallel (default 8)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"error: port {args.port} is out of range", file=sys.stderr)
        return 2
    app = create_app()
    server = make_server(app, host=args.host, port=args.port, threads=args.threads)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Neural Network Playground running at http://{shown}:{server.effective_port}/",
          flush=True)
    if not is_loopback(args.host):
        print(f"warning: listening on {args.host}, not loopback: anyone who can reach this "
              "machine can use the playground", file=sys.stderr, flush=True)
    print("Press Ctrl+C to stop.", flush=True)
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

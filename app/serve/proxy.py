"""The proxy in front of several workers: nginx, configured from `deploy/nginx.conf.template`.

    python -m app.serve.proxy --listen 0.0.0.0:8000 --worker a1=10.0.0.5:8101 --worker b1=10.0.0.6:8101
        [--prefix DIR] [--print]

renders the configuration for workers that run anywhere (each started with
`python -m app --worker-name NAME`, see docs/deploy.md) and runs nginx with it in the
foreground (`--print`: only print the configuration). `python -m app --workers N` uses the same
pieces for workers on this machine.

nginx runs unprivileged: the configuration, pid file, logs and temporary files all live under
one prefix directory of ours (a fresh temporary one unless `--prefix` is given), and it is
started with `-p PREFIX -c FILE -e stderr`, so nothing needs root or touches /etc or /var.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .. import ROOT
from ..http.headers import JSON_HEADERS, SECURITY_HEADERS
from .children import die_with
from .server import BODY_SLACK

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NAME = re.compile(r"[a-z][a-z0-9]{0,15}")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
INSTALL_HINT = "nginx is not installed: install it with `sudo apt-get install nginx` (Debian/Ubuntu)"


class ProxyError(Exception):
    """Something the person starting the proxy can fix; the message says what."""


@dataclass(frozen=True)
class Worker:
    name: str
    host: str
    port: int

    @property
    def address(self):
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def check_name(name):
    """A worker name: starts session ids, so a lowercase letter then letters or digits."""
    if not NAME.fullmatch(name or ""):
        raise ProxyError(f"worker name {name!r}: use a lowercase letter, then up to 15 lowercase "
                         "letters or digits (e.g. w1, a2, lab3)")
    return name


def parse_worker(text):
    """'NAME=HOST:PORT' → Worker."""
    name, sep, address = text.partition("=")
    host, colon, port = address.rpartition(":")
    if not sep or not colon or not port.isdigit() or not host:
        raise ProxyError(f"--worker {text!r}: expected NAME=HOST:PORT, e.g. a1=10.0.0.5:8101")
    return Worker(check_name(name), host.strip("[]"), int(port))


def find_nginx():
    """The nginx binary (Debian installs it in /usr/sbin, which a user's PATH may lack)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise ProxyError(INSTALL_HINT)
    return found


def render(workers, listen, prefix, max_body, error_log=None, access_log="off",
           template=TEMPLATE):
    """The nginx configuration for `workers` behind `listen` ('host:port')."""
    names = [w.name for w in workers]
    if not workers or len(set(names)) != len(names):
        raise ProxyError("give one or more workers, each with its own name")
    routes = "\n".join(f"        ~^/api/sessions/{w.name}\\.  {w.name};" for w in workers)
    upstreams = "\n".join(
        f"    upstream {w.name} {{ server {w.address} max_fails=0; keepalive 16; }}"
        for w in workers)
    spread = "\n".join(f"        server {w.address} max_fails=1 fail_timeout=3s;"
                       for w in workers)
    # The headers of every answer (app/http/headers.py) on the answers nginx makes itself.
    headers = "\n".join(f"            add_header {name} \"{value}\" always;"
                         for name, value in {**SECURITY_HEADERS,
                                             "Cache-Control": JSON_HEADERS["Cache-Control"]}.items())
    user = ""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # nginx's workers drop root for this user; it must be able to write the temp dirs.
        user = f"user {unprivileged_user()};"
    values = {"user": user, "prefix": str(prefix), "listen": listen,
              "error_log": error_log or "stderr", "access_log": access_log,
              "max_body": str(max_body + BODY_SLACK), "routes": routes,
              "upstreams": upstreams, "any": spread, "headers": headers}
    text = Path(template).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def unprivileged_user():
    import grp
    import pwd

    entry = pwd.getpwnam("nobody")
    return f"{entry.pw_name} {grp.getgrgid(entry.pw_gid).gr_name}"


def prepare_prefix(prefix):
    """Create the prefix and its temporary directories (owned by nginx's user when root)."""
    prefix = Path(prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if root:
        os.chmod(prefix, 0o711)  # nginx's unprivileged workers pass through to their temp dirs
    for name in TEMP_DIRS:
        (prefix / name).mkdir(exist_ok=True)
        if root:
            import pwd

            entry = pwd.getpwnam("nobody")
            os.chown(prefix / name, entry.pw_uid, entry.pw_gid)
    return prefix


class Nginx:
    """nginx in the foreground with a configuration of ours; `stop()` ends it gracefully.
    Its messages go to `nginx.log` in the prefix."""

    def __init__(self, config_text, prefix):
        self.binary = find_nginx()
        self.prefix = prepare_prefix(prefix)
        self.config = self.prefix / "nginx.conf"
        self.config.write_text(config_text)
        self.log_path = self.prefix / "nginx.log"
        self.process = None
        self.started = 0.0

    def command(self, *extra):
        return [self.binary, "-p", str(self.prefix), "-c", str(self.config), "-e", "stderr",
                *extra]

    def check(self):
        """`nginx -t`: the configuration is valid and the port can be bound (ProxyError if not)."""
        result = subprocess.run(self.command("-t", "-q"), capture_output=True, text=True)
        if result.returncode != 0:
            raise ProxyError(explain(result.stderr))

    def start(self, host, port, timeout=15.0):
        """Start nginx and wait until it listens on host:port (ProxyError, saying why, if it
        stops instead: `nginx -t` does not try the port)."""
        self.check()
        self.started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command("-g", "daemon off;"), stdout=log,
                                            stderr=log, start_new_session=True,
                                            preexec_fn=die_with())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ProxyError(explain(self.log_path.read_text(errors="replace")))
            try:
                with socket.create_connection((connect_host(host), port), timeout=0.5):
                    return self.process
            except OSError:
                time.sleep(0.05)
        raise ProxyError(f"nginx did not listen on {host}:{port} within {timeout:g} s; "
                         f"see {self.log_path}")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def worker_pids(self):
        """nginx's worker processes now: the master's children (Linux; empty elsewhere)."""
        if not self.alive():
            return set()
        pid = self.process.pid
        try:
            return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
        except OSError:
            return set()

    def reload(self, timeout=10.0):
        """Re-read the configuration and start fresh workers, which also forgets which upstream
        servers had failed. Returns once the old workers have handed over (they finish answers
        in flight first; until then they still route by what they knew), or after `timeout`."""
        if not self.alive():
            return
        old = self.worker_pids()
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while old & self.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self, timeout=10):
        """Stop gracefully (answers in flight are finished), then end whatever is left of
        nginx's process group."""
        if self.alive():
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish answers in flight
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.end_group()

    def end_group(self, timeout=5.0):
        """Kill every process left in nginx's process group (it runs in a session of its own)
        and wait until none is. nginx's worker processes outlive a master that was killed
        outright, still holding the port (and answering 503): they must go before a new
        nginx can listen there."""
        if self.process is None:
            return
        group = self.process.pid   # start_new_session: the group is the master's pid
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        deadline = time.monotonic() + timeout
        while True:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                return   # nobody left (the orphans were reaped by init)
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)


def split_listen(listen):
    """'host:port' or '[v6]:port' → (host, port)."""
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise ProxyError(f"--listen {listen!r}: expected HOST:PORT, e.g. 0.0.0.0:8000")
    return host.strip("[]") or "0.0.0.0", int(port)


def connect_host(host):
    """Where to check a listener bound to `host` (the wildcard addresses: loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def explain(stderr):
    """nginx's complaint as one line a person can act on."""
    text = " ".join(line.split("] ", 1)[-1] for line in stderr.strip().splitlines()[-2:])
    if "Address already in use" in text:
        return f"the proxy's port is already in use ({text.strip()}): choose another --port"
    if "Permission denied" in text and "bind" in text:
        return f"not allowed to listen there ({text.strip()}): use a port above 1023"
    return f"nginx refused the configuration: {text.strip()}"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m app.serve.proxy",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8000", help="address:port to serve on")
    parser.add_argument("--worker", action="append", default=[], metavar="NAME=HOST:PORT",
                        help="a worker started with --worker-name NAME (repeat for each)")
    parser.add_argument("--prefix", help="directory for nginx's config, pid, logs, temp files "
                                         "(default: a new temporary directory)")
    parser.add_argument("--max-body", type=int, default=2 * 1024 * 1024,
                        help="the workers' --max-body in bytes (default 2 MB)")
    parser.add_argument("--print", action="store_true", help="print the configuration only")
    args = parser.parse_args(argv)
    try:
        workers = [parse_worker(text) for text in args.worker]
        split_listen(args.listen)
        if args.print and not args.prefix:
            raise ProxyError("--print needs --prefix: the directory nginx will run from")
        prefix = Path(args.prefix) if args.prefix else Path(tempfile.mkdtemp(prefix="playground-proxy-"))
        text = render(workers, args.listen, prefix.resolve(), args.max_body)
        if args.print:
            print(text)
            return 0
        nginx = Nginx(text, prefix.resolve())
        nginx.start(*split_listen(args.listen))
    except ProxyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Proxy for {len(workers)} workers listening on {args.listen} (nginx, prefix "
          f"{prefix}). Press Ctrl+C to stop.", flush=True)
    try:
        nginx.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        nginx.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The servers under load, each a child process of the benchmark: gunicorn with the app, and
nginx serving saved copies of the same pages as the upper limit."""

import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from catalogs import ROOT, WORK

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # It answers; the status is checked by whoever fetches pages.
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f} s; see {log}")


class Server:
    """Starts in `with`, and is stopped by its process id when the block ends."""

    name = "server"

    def __init__(self):
        self.port = free_port()
        self.log = WORK / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, **popen) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, **popen
            )
        wait_until_up(self.base_url + "/", self.process, self.log)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # Both stop their own workers on SIGTERM.
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class Gunicorn(Server):
    name = "gunicorn"

    def __init__(self, env: dict[str, str]):
        super().__init__()
        self.env = env

    def command(self) -> list[str]:
        return [
            str(GUNICORN),
            "transferhub.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            # Slow pages of the big catalog must be measured, not killed.
            "--timeout",
            "120",
        ]

    def __enter__(self) -> "Gunicorn":
        self.start(cwd=ROOT, env=self.env)
        return self


NGINX_CONFIG = """\
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    types {{ text/html html; }}
    default_type text/html;
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/html;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


class Nginx(Server):
    """The saved pages as static files: what the same bytes cost without the app."""

    name = "nginx"

    def __init__(self, pages: dict[str, bytes]):
        super().__init__()
        self.prefix = WORK / "nginx"
        self.pages = pages

    def path_of(self, page: str) -> str:
        return f"/{page}.html"

    def command(self) -> list[str]:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        config = self.prefix / "nginx.conf"
        return [binary, "-p", str(self.prefix), "-e", str(self.log), "-c", str(config),
                "-g", "daemon off;"]  # fmt: skip

    def __enter__(self) -> "Nginx":
        html = self.prefix / "html"
        html.mkdir(parents=True, exist_ok=True)
        (self.prefix / "tmp").mkdir(exist_ok=True)
        (html / "index.html").write_bytes(b"ok")
        for page, body in self.pages.items():
            (html / f"{page}.html").write_bytes(body)
        (self.prefix / "nginx.conf").write_text(
            NGINX_CONFIG.format(workers=WORKERS, prefix=self.prefix, port=self.port)
        )
        self.start()
        return self

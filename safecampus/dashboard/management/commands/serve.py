"""``make run``: pages and API (gunicorn, WSGI), live stream (uvicorn, ASGI) and task worker.

Pages run under sync WSGI workers because that is measured ~13× faster here
than the same Django app under ASGI; Server-Sent Events need long-lived
connections that must not pin a sync worker, so they get their own small async
process on the next port. One command starts all three and stops all three.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve pages, API, live stream and the task worker together (development and demo)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the task worker."
        )

    def handle(
        self, *args: Any, host: str, port: int, workers: int, no_worker: bool, **kw: Any
    ) -> None:
        stream_port = port + 1
        env = {
            **os.environ,
            "STREAM_URL": os.environ.get(
                "STREAM_URL", f"http://{host}:{stream_port}/stream/events"
            ),
            "STREAM_ALLOWED_ORIGINS": os.environ.get(
                "STREAM_ALLOWED_ORIGINS", f"http://{host}:{port},http://localhost:{port}"
            ),
        }
        python = sys.executable
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                # No client address or user agent: reporters must not be traceable from logs.
                "--access-logformat",
                '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
                "--graceful-timeout",
                "5",
                # A year's ledger as Excel streams for tens of seconds on a big district.
                "--timeout",
                "120",
            ],
            "stream": [
                python,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                host,
                "--port",
                str(stream_port),
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "2",
            ],
        }
        if not no_worker:
            commands["worker"] = [
                python,
                "manage.py",
                "run_huey",
                "--workers",
                "2",
                "--flush-locks",
                "--quiet",
            ]
        procs = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(f"SafeCampus: http://{host}:{port}/  (stream :{stream_port})")
        )
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        self.stderr.write(
                            f"{name} exited with {proc.returncode}; stopping the rest."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.terminate()
            for proc in procs.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

"""``make run``: pages and API (gunicorn, WSGI), live stream (uvicorn, ASGI), task worker,
and the device side: the shipped NATS broker (MQTT for devices, with their logins) and one
``ingest`` process.

Pages run under sync WSGI workers because that is measured ~13× faster here
than the same Django app under ASGI; Server-Sent Events need long-lived
connections that must not pin a sync worker, so they get their own small async
process on the next port. One command starts them all and stops them all (a broker
that was already running before is left running). Links in notifications use
``SITE_URL``, set here to the address served unless the environment sets it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
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
        parser.add_argument(
            "--no-devices",
            action="store_true",
            help="Start neither the NATS broker nor the ingest process.",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        no_worker: bool,
        no_devices: bool,
        **kw: Any,
    ) -> None:
        stream_port = port + 1
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        env = {
            **os.environ,
            "SITE_URL": os.environ.get("SITE_URL") or f"http://{shown}:{port}",
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
                "--no-server-header",  # no product banner, as for gunicorn (gunicorn.conf.py)
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
        started_broker = False
        if not no_devices:
            broker, started_broker = self._broker(env)
            if broker:
                commands["ingest"] = [
                    *(python, "manage.py", "ingest", "--broker", broker),
                    *("--name", "serve", "--report-every", "60"),
                ]
        procs = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(f"SafeCampus: {env['SITE_URL']}/  (stream :{stream_port})")
        )
        # What `simulate_devices` and other commands in another terminal post to by default.
        served = Path(settings.SERVED_URL_FILE)
        served.write_text(env["SITE_URL"] + "\n")
        try:
            self._supervise(procs)
        finally:
            served.unlink(missing_ok=True)
            if started_broker:
                self._brokers(env, "stop")

    def _brokers(self, env: dict[str, str], action: str) -> subprocess.CompletedProcess[str]:
        script = Path(settings.BASE_DIR) / "scripts" / "brokers.sh"
        return subprocess.run(  # noqa: S603
            ["bash", str(script), action, "nats"],  # noqa: S607
            env={**env, "PYTHON": sys.executable},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def _broker(self, env: dict[str, str]) -> tuple[str, bool]:
        """The ingest process's broker URL ("" if none) and whether it was started here:
        ``MQTT_URL`` if set, else the shipped NATS under var/brokers (started if down)."""
        if os.environ.get("MQTT_URL"):
            return os.environ["MQTT_URL"], False
        was_running = "running" in self._brokers(env, "status").stdout
        result = self._brokers(env, "start")
        if result.returncode != 0:
            self.stderr.write(
                "The NATS broker did not start, so devices cannot publish over MQTT "
                f"(HTTP ingestion works):\n{result.stderr.strip()}"
            )
            return "", False
        nats_port = os.environ.get("NATS_PORT", "14222")
        mqtt_port = os.environ.get("NATS_MQTT_PORT", "18830")
        password = quote(settings.MQTT_INGEST_PASSWORD, safe="")
        self.stdout.write(f"Devices: MQTT on 127.0.0.1:{mqtt_port} (NATS, device logins)")
        return f"nats://safecampus-ingest:{password}@127.0.0.1:{nats_port}", not was_running

    def _supervise(self, procs: dict[str, subprocess.Popen[bytes]]) -> None:
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

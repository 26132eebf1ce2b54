"""make bench-web: the home page and the API school list under gunicorn, 1,000-school district.

Targets (issue #2): p95 < 100 ms for both, >= 300 requests/s for the API list,
on this 2-core machine. The baseline measured in the same run is a trivial view
(/healthz: the full middleware stack and one SELECT 1), so the figures say how
much our pages cost above Django's own floor.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script (make bench-web): the repository is not on the path

from bench.targets import Target, finish  # noqa: E402

PY = sys.executable
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
SCHOOLS = int(os.environ.get("BENCH_SCHOOLS", "1000"))
WRK = shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], port: int, *, cold: bool = False
) -> subprocess.Popen[bytes]:
    """The app under gunicorn, 2 sync workers as `make run` serves it, on ``port``; ``cold``:
    with every cache a miss (``bench/settings_cold.py``)."""
    command = [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--log-level", "warning"]
    if cold:
        env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_cold"}
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(port: int) -> None:
    for _ in range(600):  # a minute: a loaded machine starts two workers slowly
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not come up")


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def credentials(env: dict[str, str]) -> tuple[str, str]:
    """A verified session for the bureau safety officer and an API token, made as the app does."""
    script = (
        "import django; django.setup()\n"
        "from importlib import import_module\n"
        "from django.conf import settings\n"
        "SessionStore = import_module(settings.SESSION_ENGINE).SessionStore\n"
        "from django_otp import DEVICE_ID_SESSION_KEY\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from safecampus.accounts.models import User\n"
        "from safecampus.accounts.services import api_token_create\n"
        "u = User.objects.get(username='safety')\n"
        "s = SessionStore(); s['_auth_user_id'] = str(u.pk)\n"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s['_auth_user_hash'] = u.get_session_auth_hash()\n"
        "s[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=u).persistent_id\n"
        "s.create()\n"
        "print(s.session_key, api_token_create(actor=None, user=u, name='bench'))\n"
    )
    out = subprocess.run(
        [PY, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    session, token = out.stdout.split()
    return session, token


def load(port: int, path: str, headers: str) -> dict:
    """wrk (C, light on the CPU the server needs) when installed, else the Python generator;
    ``path`` may list several paths separated by spaces, asked for in turn."""
    if WRK:
        command = [
            WRK,
            "-t1",
            f"-c{CONCURRENCY}",
            f"-d{SECONDS:.0f}s",
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
        ]
        for header in filter(None, headers.split("\\r\\n")):
            command += ["-H", header]
        first = path.split()[0]
        out = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{first}"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "WRK_PATHS": path},
        )
        line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
        return {"path": path, **json.loads(line[5:])}
    out = subprocess.run(
        [
            PY,
            str(ROOT / "bench" / "loadgen.py"),
            "127.0.0.1",
            str(port),
            path,
            headers,
            str(SECONDS),
            str(CONCURRENCY),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


ROW = "{:<46}{:>9}{:>9}{:>9}{:>9}{:>8}"


def row(label: str, r: dict) -> None:
    print(ROW.format(label, r["rps"], r["p50"], r["p95"], r["p99"], r["errors"]))


def warm_up(port: int, path: str, headers: str, *, seconds: int = 1, clients: int = 2) -> None:
    """A short run from several connections before anything is timed, so that every worker
    has imported, compiled its templates and (warm rows) filled its caches."""
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "loadgen.py"), "127.0.0.1", str(port), path, headers,
         str(seconds), str(clients)],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    assert json.loads(out.stdout)["errors"] == 0, (path, out.stdout)


def measure(env: dict[str, str], cases: list[tuple[str, str, str]], *, cold: bool) -> list[dict]:
    """Each case under its own gunicorn run: warm (the app's caches work, as in production
    when one URL is asked for again and again) or cold (every cache a miss)."""
    port = free_port()
    server = start_gunicorn(env, port, cold=cold)
    try:
        wait_until_up(port)
        for _label, path, headers in cases:
            warm_up(port, path, headers)
        results = []
        for label, path, headers in cases:
            results.append(r := load(port, path, headers))
            row(f"{label} — {'cold' if cold else 'warm'}", r)
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    var = tempfile.mkdtemp(prefix="sc-bench-")
    env = {**os.environ, "SAFECAMPUS_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "config.settings"}
    try:
        print(f"Setting up a {SCHOOLS}-school district in {var} …", flush=True)
        started = time.perf_counter()
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--schools", str(SCHOOLS), "--quiet")
        print(f"  seeded in {time.perf_counter() - started:.1f} s")
        session, token = credentials(env)
        cookie = f"Cookie: sessionid={session}\\r\\n"
        auth = f"Authorization: Token {token}\\r\\n"
        cases = [
            ("baseline: trivial view /healthz", "/healthz", ""),
            ("home page (bureau safety officer)", "/", cookie),
            ("API school list (token)", "/api/v1/schools/", auth),
        ]
        print(
            f"\n{SECONDS:.0f} s each, {CONCURRENCY} concurrent clients, gunicorn 2 sync workers, "
            f"load from {'wrk' if WRK else 'bench/loadgen.py (install wrk: lighter on the CPU)'}\n"
        )
        print(ROW.format("endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"))
        warm = measure(env, cases, cold=False)
        base, home, api = measure(env, cases, cold=True)
        asgi = asgi_figures(env, cases)
        print("\nthe same endpoints under uvicorn (ASGI, 2 workers, warm), for comparison:")
        for (label, _path, _), r, w in zip(cases, asgi, warm, strict=True):
            row(label, r)
            print(f"{'':<46}WSGI/ASGI rate: {w['rps'] / max(r['rps'], 1):.1f}×")
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {var} (BENCH_KEEP)")
        else:
            shutil.rmtree(var, ignore_errors=True)
    # The goals hold for the cold rows: a cache only helps whoever asks for the same thing.
    finish(
        [
            Target("home page p95 (cold)", home["p95"], "ms", "< 100 ms", home["p95"] < 100,
                   base["p95"], "/healthz"),
            Target("API school list p95 (cold)", api["p95"], "ms", "< 100 ms",
                   api["p95"] < 100, base["p95"], "/healthz"),
            Target("API school list rate (cold)", api["rps"], "req/s", ">= 300 req/s",
                   api["rps"] >= 300, base["rps"], "/healthz"),
            Target("errors (all rows)", sum(r["errors"] for r in (*warm, home, api)), "", "0",
                   not any(r["errors"] for r in (*warm, home, api))),
        ]
    )  # fmt: skip


def asgi_figures(env: dict[str, str], cases: list[tuple[str, str, str]]) -> list[dict]:
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "uvicorn",
            "bench.asgi_django:application",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port)
        return [load(port, path, headers) for _, path, headers in cases]
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

"""CPU a page costs, in-process: the Django test client, one process, every cache a miss.

The gunicorn benches measure rates and latencies on a machine other work may share; this
harness times what one request costs the server's CPU (``time.process_time``) with the cold
settings (bench/settings_cold.py), signed in as the bureau safety officer, so a change to the
page shell or the ledger can be compared before/after under the same conditions. With
``--profile PATH`` it also writes the cProfile of the last path measured.

    SAFECAMPUS_VAR_DIR=/tmp/sc-profile .venv/bin/python bench/profile_pages.py --seed 20000
    SAFECAMPUS_VAR_DIR=/tmp/sc-profile .venv/bin/python bench/profile_pages.py -n 50
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_cold")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def seed(leads: int, schools: int) -> None:
    """A district with ``leads`` bench leads, seeded as bench-leads does."""
    from django.core.management import call_command

    from bench.leads import seed_leads

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--schools", str(schools), "--quiet")
    print(seed_leads(leads))


def paths() -> list[tuple[str, str]]:
    """The pages timed: both ledger rows of bench-leads, the home page, and the baseline."""
    from bench.leads import ledger_has_period
    from safecampus.leads.models import Lead, LeadCategory
    from safecampus.organizations.choices import UnitKind
    from safecampus.organizations.models import Unit

    assert Lead.objects.exists(), "seed first (--seed N)"
    # The filter bench-leads asks for: its busiest school and its first category's parent.
    school = Unit.objects.filter(kind=UnitKind.SCHOOL).order_by("pk").first()
    leaf = LeadCategory.objects.filter(children__isnull=True).order_by("pk").first()
    assert school is not None and leaf is not None
    category = leaf.parent or leaf
    filters = f"?category={category.code}&status=closed&school={school.code}"
    if ledger_has_period():
        filters += "&received_from=2026-01-01&received_to=2026-06-30"
    return [
        ("/leads/ unfiltered", "/leads/"),
        ("/leads/ filtered", "/leads/" + filters),
        ("/ (home)", "/"),
        ("/healthz", "/healthz"),
    ]


def signed_in_client():  # type: ignore[no-untyped-def]
    """A client with the bench's verified session for ``safety``, English as in the bench."""
    from importlib import import_module

    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safecampus.accounts.models import User

    user = User.objects.get(username="safety")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    store.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = os.environ.get("BENCH_LANGUAGE", "en")
    return client


def measure(requests: int, profile_path: str | None, only: str | None) -> None:
    client = signed_in_client()
    for label, path in paths():
        if only and only not in label:
            continue
        for _ in range(3):  # imports, template compilation, URL resolver
            assert client.get(path).status_code == 200, path
        cpu, wall = [], []
        profiler = cProfile.Profile() if profile_path else None
        for _ in range(requests):
            began_cpu, began_wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.get(path)
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - began_cpu) * 1000)
            wall.append((time.perf_counter() - began_wall) * 1000)
            assert response.status_code == 200, path
        cpu.sort()
        wall.sort()
        median = cpu[len(cpu) // 2]
        print(
            f"{label:<22} cpu mean {statistics.fmean(cpu):6.1f} ms  median {median:6.1f}"
            f"  wall median {wall[len(wall) // 2]:6.1f} ms  ({requests} requests)",
            flush=True,
        )
        if profiler and profile_path:
            profiler.dump_stats(f"{profile_path}.{'-'.join(label.strip('/').split()) or 'x'}")
    print(f"load average: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, help="seed a district with N leads first")
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("-n", type=int, default=50, help="requests per page")
    parser.add_argument("--profile", help="write cProfile stats to PATH.<page>")
    parser.add_argument("--only", help="measure only pages whose label contains this")
    args = parser.parse_args()
    if args.seed:
        import django

        django.setup()
    else:
        import config.wsgi  # noqa: F401 (the app set up as gunicorn's workers load it)
    if args.seed:
        seed(args.seed, args.schools)
    measure(args.n, args.profile, args.only)


if __name__ == "__main__":
    main()

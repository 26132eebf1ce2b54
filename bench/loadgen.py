"""A small closed-loop HTTP load generator (asyncio, one connection per request like gunicorn sync).

Run in its own process so that it does not share the interpreter with the server. ``path``
may list several paths separated by spaces: the requests go round them in turn (a spread of
filters, so that a cache answers only as often as it would in real use).
Prints one JSON line: requests, errors, seconds, rps, p50/p95/p99 in milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time


async def _one(host: str, port: int, path: str, headers: str) -> tuple[int, float]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{headers}\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # body until close
    writer.close()
    status = int(status_line.split()[1]) if status_line else 0
    return status, (time.perf_counter() - start) * 1000


async def run(
    host: str, port: int, path: str, headers: str, seconds: float, concurrency: int
) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    paths = itertools.cycle(path.split())

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            try:
                status, ms = await _one(host, port, next(paths), headers)
            except OSError:
                errors += 1
                continue
            if status != 200:
                errors += 1
            latencies.append(ms)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1)
            if latencies
            else 0.0
        )

    return {
        "path": path,
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
    }


if __name__ == "__main__":
    host, port, path, headers, seconds, concurrency = sys.argv[1:7]
    headers = headers.replace("\\r\\n", "\r\n")
    result = asyncio.run(run(host, int(port), path, headers, float(seconds), int(concurrency)))
    print(json.dumps(result))

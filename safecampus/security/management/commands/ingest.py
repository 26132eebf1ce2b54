"""``manage.py ingest``: the device-event consumer (one of the three process roles)."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safecampus.security.consumer import NatsSource, Pipeline, source_for


class Command(BaseCommand):
    help = (
        "Consume device events from the broker (nats:// JetStream or mqtt:// with a shared "
        "subscription), store them in batches and acknowledge after each commit."
    )

    def add_arguments(self, parser: Any) -> None:
        password = quote(settings.MQTT_INGEST_PASSWORD, safe="")
        parser.add_argument(
            "--broker",
            default=os.environ.get(
                "MQTT_URL", f"nats://safecampus-ingest:{password}@127.0.0.1:14222"
            ),
            help="nats://safecampus-ingest:PASSWORD@host:port (production) or "
            "mqtt://safecampus-ingest:PASSWORD@host:port (default: $MQTT_URL, else the local "
            "NATS of scripts/brokers.sh with $MQTT_INGEST_PASSWORD)",
        )
        parser.add_argument(
            "--name",
            default=os.environ.get("INGEST_NAME", socket.gethostname()),
            help="stable name of this process: its MQTT session outlives a restart",
        )
        # Measured: ~4,000 events/s in batches of 500, ~6,200 in batches of 2,000 (the alert
        # rules cost per batch, not per event).
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--batch-wait", type=float, default=0.05, help="seconds")
        parser.add_argument("--report-every", type=float, default=10.0, help="seconds; 0: off")
        parser.add_argument(
            "--mqtt-version", type=int, choices=(5, 4), default=5, help="4: MQTT 3.1.1"
        )
        parser.add_argument(
            "--shared",
            action="store_true",
            help="mqtt:// only: an MQTT 5 shared subscription, so that several processes split "
            "the load (Mosquitto 2.0 forgets it on a broker restart: see the README)",
        )
        parser.add_argument(
            "--setup",
            action="store_true",
            help="only create the durable JetStream consumer (nats://) and exit",
        )
        parser.add_argument(
            "--nats-mqtt-port",
            type=int,
            default=None,
            help="with --setup: NATS's MQTT port, to have the server create its MQTT streams",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("safecampus.ingest").setLevel(logging.INFO)
        broker = options["broker"]
        try:
            source = source_for(
                broker,
                client_id=f"safecampus-ingest-{options['name']}",
                version=options["mqtt_version"],
                shared=options["shared"],
                mqtt_port=options["nats_mqtt_port"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["setup"]:
            if not isinstance(source, NatsSource):
                raise CommandError("--setup is for nats:// brokers")
            source.setup()
            source.stop()
            self.stdout.write("durable consumer safecampus-ingest is ready")
            return
        pipeline = Pipeline(
            source, batch_size=options["batch_size"], batch_wait=options["batch_wait"]
        )
        pipeline.stop_on_signals()

        def report(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        pipeline.run(report_every=options["report_every"], report=report)

"""Every write of the security app, one module per concern.

- ``alerts``: the alert workflow on the case kernel — raising and growing alerts from event
  batches, the human moves (acknowledge, dispose, escalate, police help), auto-closing,
  the acknowledgement deadline's escalation; audited, published to the console after commit.
- ``ingest``: device events from MQTT or HTTP into the event table, set-based.
- ``liveness``: devices gone silent raise ``device_offline`` alerts; heard again, they close.
- ``devices``: the device registry (register, rotate a secret, enable/disable).
- ``imports``: the device registry's Excel import (all or nothing, through ``core.excel``).
- ``rules``: the alert rules' table, edited by the bureau.
- ``brokers``: the brokers' login files written from the registry, and their reload.
- ``digest``: HTTP Digest for cameras that can do nothing else, with replay-proof nonces.

Import from the module (``from safecampus.security.services.alerts import …``).
"""

"""Reads of the inspections app, one module per part: ``inspections``, ``hazards`` (the
register and rectification notices) and ``evidence`` (per-school figures the risk grade
reads). Other apps read inspections only through these modules."""

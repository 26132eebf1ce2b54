"""Every write of the risk app, one module per part: ``grades`` (computing and adjusting a
month's grades), ``grading`` (the run that scores the evidence and writes the grades),
``notices`` (the monthly warning notice on the case kernel), ``register`` (the risk
register) and ``calendar`` (level bands, seasonal calendar, school risk profiles)."""

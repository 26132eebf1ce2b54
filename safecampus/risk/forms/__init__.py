"""Forms of the risk pages, one module per part (``grades``, ``notices``, ``register``):
they parse input; the services decide."""

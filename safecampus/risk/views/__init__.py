"""The risk app's pages, one module per part (``grades``, ``notices``, ``register``);
``risk/urls.py`` routes them."""

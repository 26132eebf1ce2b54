"""The HTML pages of leads, one module per part: ``leads`` (ledger, a lead's page, its
moves, the internal report), ``handling`` (an agency's answers to its transfer), ``reveal``
(reporter and persons), ``merge``, ``excel`` (export and import), ``stats`` and ``portal``
(the anonymous public portal). The API is in ``leads/api/``."""

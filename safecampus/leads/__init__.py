"""Leads (线索): reports about people and dangers around schools, from staff, from the
anonymous public portal and from offline collection, followed on the case kernel until
they are concluded.

The app has the skeleton's rooms: ``models``, ``choices``, ``errors``, ``forms``,
``permissions``; ``services/`` (every write), ``selectors/`` (every read another room or
app needs), ``views/`` and ``api/`` (the pages and /api/v1/), ``urls/`` (staff pages and
the portal's), ``excel/`` (the ledger's workbooks). Pure helpers keep a module named for
their concern: ``persons`` (the masks of names), ``similarity``, ``challenge``,
``receipts``; ``demo`` seeds demo data through the services.
"""

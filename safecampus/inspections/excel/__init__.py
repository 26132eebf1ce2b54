"""Excel workbooks of the inspections app: the inspection ledger (``inspections``, with the
shared ``Sheet`` helper), the hazard ledger (``hazards``) and the evaluation ranking
(``evaluation``). They write workbooks from the querysets and rows they are given: no HTTP
and no database writes."""

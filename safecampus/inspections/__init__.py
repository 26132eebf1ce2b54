"""Inspections (检查): versioned checklists, plans that generate the due inspections, doing an
inspection on a phone, the hazard register (隐患台账), rectification notices (整改通知书) on the
case kernel, the yearly safe-campus evaluation (考评) and accountability decisions (追责).

The rules behind the numbers are in ``docs/inspections.md``; the layout is the app skeleton
(``models/ services/ selectors/ forms/ views/ api/ excel/``, one module per part)."""

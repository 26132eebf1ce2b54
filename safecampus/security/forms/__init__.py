"""Input of the security pages and endpoints: the alert console's filters and moves
(``alerts``) and the device, event and statistics forms (``devices``). Forms parse; services
decide."""

"""Case management pages, one module per area: lists (my cases, team, overdue, exports), register (search before
register, open from an escalation), case (the case page, person, reveal, workflow), records (screening, consents,
plan, services, follow-ups, notes, attachments), rights (access-request export, anonymisation)."""

"""Every write of case management, one module per area (cases and workflow, consent, plan, services, follow-ups,
notes and attachments, data-subject rights). Each action is keyword-only, takes an ``Actor`` and runs in one
transaction with its audit events."""

"""Case management API (under /api/v1/cases/): the same actions and selectors, the same need-to-know, as the pages."""

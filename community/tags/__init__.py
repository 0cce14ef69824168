"""Tags: a tenant's own labels on threads, used by tag pages, filters and search."""

"""Search: one port, the database's own full-text engines and Meilisearch behind it."""

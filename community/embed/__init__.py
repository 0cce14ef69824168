"""Embedding the community in a brand's site: `/embed.js`, the widgets under `/embed/widgets/`,
and the admin page with the snippets to paste (`/admin/embed`)."""

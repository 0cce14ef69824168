"""The activity feed (home page, member profiles) and the Atom feeds of categories and tags."""

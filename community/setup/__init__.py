"""Setting up a community: its categories and idea boards, and the domains that serve it."""

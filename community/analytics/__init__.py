"""The manager dashboard: daily roll-ups of the community's facts, and the figures over them."""

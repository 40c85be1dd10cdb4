"""Planning: people, slots, overrides and the on-call lookup."""

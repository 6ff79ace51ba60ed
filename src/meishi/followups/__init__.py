"""The organizer's follow-up mail: which messages may be one, and what kind each is (pure)."""

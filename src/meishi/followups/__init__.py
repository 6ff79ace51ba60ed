"""The organizer's follow-up mail: which messages may be one, and what kind each is (pure).

The window is here, not in candidates.py, so that the agenda reads it without compiling
the platforms' patterns."""

# Organizers follow up within days; a month after the event, mail is about something else.
FOLLOW_UP_DAYS = 30

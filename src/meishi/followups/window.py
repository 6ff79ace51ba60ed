"""How long after an event its organizer's follow-up is looked for (apart from the
platforms' patterns in candidates.py, so that the agenda reads it without compiling them)."""

# Organizers follow up within days; a month after the event, mail is about something else.
FOLLOW_UP_DAYS = 30

"""meishi: a personal networking CRM for the evening after an event."""

__version__ = "0.1.0"

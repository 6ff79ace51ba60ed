"""How much meishi accepts: every bound on input, in one place (docs/security.md lists them).

A file from someone else, a name typed on a card or a template can be hostile;
each bound keeps one such input from taking unbounded time, memory or disk,
and each is far above what a real card, calendar or template holds.
"""

# Text fields, in characters (after stripping).
NAME_CHARS = 200  # a person's name and reading
CARD_FIELD_CHARS = 200  # company, department, title, phone
EVENT_FIELD_CHARS = 300  # an event's name, series, place, organizer
TOPIC_CHARS = 500  # one topic talked about
NOTE_CHARS = 10_000  # a note on a contact, an encounter or a follow-up
REASON_CHARS = 500  # a cancellation reason
EMAIL_CHARS = 254  # one email address (RFC 5321's bound on a path)
LINE_CHARS = 1_000  # other one-line text: a draft's subject, a Message-ID, a template name
SETTING_CHARS = 2_000  # one setting's value (a signature is a few lines)

# How many of a repeatable thing one record may hold.
EMAILS_PER_CONTACT = 20
TOPICS_PER_ENCOUNTER = 50

# Numbers: ids and amounts must fit SQLite's 64-bit integers; fees are yen-sized.
ID_MAX = 2**63 - 1
AMOUNT_MAX = 100_000_000  # a fee or an amount paid
EARLIEST_YEAR = 1900  # dates before it are typing mistakes (and year 1 breaks time zones)
LATEST_YEAR = 2200

# Imported files.
IMPORT_FILE_BYTES = 256 * 1024**2  # one file given to `meishi import`
IMPORT_LINE_BYTES = 4 * 1024**2  # one physical line (a vCard photo may be long)
IMPORT_RECORD_BYTES = 16 * 1024**2  # one vCard or calendar component, unfolded
# What vobject and icalendar are given of one record, once the properties meishi does not
# read (photos, descriptions, attendees) are dropped: they take ~100x a line's size in memory.
PARSED_LINES = 1_000  # content lines of one card or event (a real one has a few dozen)
PARSED_LINE_BYTES = 64 * 1024  # one content line, unfolded (a note's limit fits, encoded)
JSON_DEPTH = 32  # nesting of a JSON dump
JSON_NUMBER_DIGITS = 20  # digits in one JSON number
OCCURRENCES_PER_SERIES = 1_500  # a daily series over the 3-year import window fits

# Templates (the sandbox) and what they render.
TEMPLATE_REPEAT_CHARS = 10_000  # the longest string or list `*` may build
TEMPLATE_OUTPUT_CHARS = 100_000  # one rendered draft, and any one value a template builds
TEMPLATE_STEPS = 10_000  # loop turns and calls in one rendering (a note loops over a few topics)

# Card photos.
IMAGE_PIXELS = 50_000_000  # a 12-megapixel phone photo is far below

# The mailbox.
ORGANIZER_MAIL_BYTES = 1_000_000  # what sync reads of one organizer's mail (attachments cut)

# Files meishi writes.
FILE_NAME_BYTES = 200  # an .eml draft's file name (most file systems allow 255)
STALE_TEMP_SECONDS = 15 * 60  # a temporary file of meishi's this old was left by a killed run

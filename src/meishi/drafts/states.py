"""A thank-you draft's plain words, for the agenda's read path and the drafting code alike."""

# A draft's states before it goes to the outbox (then it follows its message's state).
PENDING, HELD, DISCARDED = "draft", "held", "discarded"
# A draft or outbox message copied from an imported file: a record only, never sent from it.
RESTORED = "restored"
# The day after is best; past this many days a thank-you is flagged as late.
LATE_AFTER_DAYS = 3

"""Attendance: the rules of registering, cancelling and not showing up, and what you then owe."""

"""The store: the database engine and sessions, the plain read connection, search, lookups."""

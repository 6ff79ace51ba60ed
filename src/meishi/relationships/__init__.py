"""How a relationship with a contact is going, from the mail exchanged: the rules and the facts."""

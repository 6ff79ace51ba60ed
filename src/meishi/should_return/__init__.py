"""Should you go back to an event series: the rules of the verdict, and the facts it weighs."""

"""What the command line does to the database besides serving: migrate it, check the
revisions, seed it, back it up and restore it."""

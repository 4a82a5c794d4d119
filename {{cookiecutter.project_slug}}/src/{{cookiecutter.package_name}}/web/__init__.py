"""What every request goes through before and after its route: its context and access line,
the limits on what a client sends, errors turned into problems, the event loop watched."""

"""Real peers the tests talk to over HTTP."""

"""Passeport's tracking: which domain event becomes which xAPI statement, our vocabulary, replay."""

"""Plain-Python domain: modules, people and roles, with no web framework."""

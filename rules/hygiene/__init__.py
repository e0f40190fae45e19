"""Built-in rules: hygiene."""

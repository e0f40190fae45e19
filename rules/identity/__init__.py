"""Built-in rules: identity."""

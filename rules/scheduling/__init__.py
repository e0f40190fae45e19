"""Built-in rules: scheduling."""

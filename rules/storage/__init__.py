"""Built-in rules: storage."""

"""Built-in rules: schema."""

"""Built-in rules: networking."""

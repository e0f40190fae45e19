"""Built-in rules: cloud_resources."""

"""Built-in rules: input problems (parse errors, duplicate keys, alias bombs, unreadable files)."""

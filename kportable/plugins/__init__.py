"""Plugin host: hook specifications and the manager that loads entry points."""

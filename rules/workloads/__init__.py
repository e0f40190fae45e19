"""Built-in rules: workloads (container resources)."""

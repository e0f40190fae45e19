"""Output formats. Each registers through the ``kportable_output_formats`` hook."""

"""File formats: each format's reader and writer, and the registry that names them."""

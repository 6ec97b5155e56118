"""The docs source, and the scripts that write its generated pages (`sh scripts/docs`)."""

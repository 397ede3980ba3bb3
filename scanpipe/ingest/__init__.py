"""Finding, validating and loading the scans that make up one legacy file."""

"""One module per simulation family, each exporting `SPECS`."""

"""Load benchmark of the portal: `make bench` (see bench/README.md). Not part of the product."""

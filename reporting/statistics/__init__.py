"""The yearly statistics of spec §8: aggregation (selectors), the tables the page
and the downloads share (tables), exact rounding (arith) and SVG charts (charts)."""

// Plot: PNG and SVG figures without external dependencies beyond zlib.

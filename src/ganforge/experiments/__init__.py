"""Multi-seed benchmark runners built on the library (the 2-D mode-coverage table): experiments,
not library code."""

"""Pictures: sample grids, training curves and the theory lab's figures (matplotlib Agg)."""

"""`ganforge report`: a run folder as one offline HTML page (settings, sample grids over training,
curves, metrics, the memorisation check, latent walks; theory and modes runs too)."""

from ganforge.report.build import REPORT_NAME, write_report

__all__ = ["REPORT_NAME", "write_report"]

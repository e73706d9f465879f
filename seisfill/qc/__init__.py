"""QC figures (matplotlib): gather panels, f-k spectra and the standard QC sheet.

Every function returns the :class:`matplotlib.figure.Figure` and takes an
``ax`` where one panel is drawn, so the pieces compose in notebooks; they use
no pyplot state and work headless (Agg).
"""

from seisfill.qc.panels import plot_fk, plot_gather
from seisfill.qc.sheet import qc_sheet
from seisfill.qc.spectra import fk_spectrum

__all__ = ["plot_gather", "plot_fk", "fk_spectrum", "qc_sheet"]

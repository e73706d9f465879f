"""QC figures (matplotlib): gather panels, f-k spectra, the standard QC sheet, 3D views.

Every function returns the :class:`matplotlib.figure.Figure` and takes an
``ax`` where one panel is drawn, so the pieces compose in notebooks; they use
no pyplot state and work headless (Agg).  :func:`write_report` writes the QC
sheets of a filled file and an HTML page that shows them; :func:`trace_axis`
gives the header values (the gather's sort key) that label a sheet's trace axis.
"""

from seisfill.qc.cube import plot_cube, plot_dead_map
from seisfill.qc.panels import plot_fk, plot_gather, plot_wiggle
from seisfill.qc.report import trace_axis, write_report
from seisfill.qc.sheet import qc_sheet
from seisfill.qc.spectra import fk_amplitude, fk_spectrum

__all__ = [
    "plot_gather",
    "plot_wiggle",
    "plot_fk",
    "fk_spectrum",
    "fk_amplitude",
    "qc_sheet",
    "plot_cube",
    "plot_dead_map",
    "write_report",
    "trace_axis",
]


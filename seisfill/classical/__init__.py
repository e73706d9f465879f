"""Classical interpolation methods (numpy only)."""

from seisfill.classical.linear import fill_linear

__all__ = ["fill_linear"]

"""SEG-Y input and output, xarray conventions, regularisation and conversion."""

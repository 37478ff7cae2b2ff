"""One module per vendor: its routes, its synthetic data, its errors and its ground truth."""

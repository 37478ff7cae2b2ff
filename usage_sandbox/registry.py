"""The vendors the sandbox serves. A fifth vendor is one module in `vendors/` and one line here."""

from usage_sandbox.vendors import insideview, leadfeeder, leaf, whitepages

VENDORS = (leadfeeder, insideview, whitepages, leaf)

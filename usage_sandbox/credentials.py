"""The only credentials the sandbox accepts, by their long-standing names; each vendor module owns its own."""

from usage_sandbox.vendors.insideview import CLIENT_ID as INSIDEVIEW_CLIENT_ID
from usage_sandbox.vendors.insideview import CLIENT_SECRET as INSIDEVIEW_CLIENT_SECRET
from usage_sandbox.vendors.leadfeeder import API_KEY as LEADFEEDER_API_KEY
from usage_sandbox.vendors.leaf import PASSWORD as LEAF_PASSWORD
from usage_sandbox.vendors.leaf import USERNAME as LEAF_USERNAME
from usage_sandbox.vendors.whitepages import API_KEY as WHITEPAGES_API_KEY

__all__ = [
    "INSIDEVIEW_CLIENT_ID",
    "INSIDEVIEW_CLIENT_SECRET",
    "LEADFEEDER_API_KEY",
    "LEAF_PASSWORD",
    "LEAF_USERNAME",
    "WHITEPAGES_API_KEY",
]

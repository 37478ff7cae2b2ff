"""The only credentials the sandbox accepts; anything else gets the vendor's auth error."""

LEADFEEDER_API_KEY = "lf-sandbox-key"
WHITEPAGES_API_KEY = "wp-sandbox-key"
INSIDEVIEW_CLIENT_ID = "iv-sandbox-client"
INSIDEVIEW_CLIENT_SECRET = "iv-sandbox-secret"
LEAF_USERNAME = "leaf@sandbox.test"
LEAF_PASSWORD = "leaf-sandbox-password"

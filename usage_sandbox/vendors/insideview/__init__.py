"""InsideView (Demandbase): a bearer token from the login host, then usage per API by day, month or year.

XML is the default format; JSON only when `Accept: application/json` is asked for.
"""

from typing import Any

NAME = "insideview"
PREFIX = "/insideview"
LOGIN_PREFIX = "/insideview-login"
TOKEN_PATH = "/Auth/login/v1/token.json"
STREAMS = ("credits", "api_transactions")
CLIENT_ID = "iv-sandbox-client"
CLIENT_SECRET = "iv-sandbox-secret"


def config_block(url: str) -> dict[str, Any]:
    """The connector's `insideview` block for the sandbox at `url`, by day."""
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "period": "day",
        "base_url": f"{url}{PREFIX}",
        "token_url": f"{url}{LOGIN_PREFIX}{TOKEN_PATH}",
    }

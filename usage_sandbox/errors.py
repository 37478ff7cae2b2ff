"""The answers a vendor gives instead of data, as exceptions (after moto's `exceptions.py`).

Handlers, the access layer and the fault layer raise them; `error_layer.py` hands each to the `render` of the
vendor whose route was asked, which writes it in that vendor's own format.
"""

from http import HTTPStatus

from usage_sandbox.replies import retry_after_header


class VendorError(Exception):
    """A status, the human sentence (`detail`) and the vendor's own code for it, when it has one."""

    status = 500

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.code = detail, code

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(VendorError):
    status = 400


class Unauthorized(VendorError):
    status = 401


class Forbidden(VendorError):
    status = 403


class NotFound(VendorError):
    status = 404


class TooManyRequests(VendorError):
    """Over a rate limit; `retry_after` seconds until a request could pass (None: no `Retry-After`)."""

    status = 429

    def __init__(self, retry_after: float | None) -> None:
        super().__init__(HTTPStatus.TOO_MANY_REQUESTS.phrase)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return retry_after_header(self.retry_after)


class QuotaExhausted(VendorError):
    """A used-up monthly or trial quota: waiting does not help, so never a `Retry-After`."""

    def __init__(self, status: int) -> None:
        super().__init__("Limit Exceeded")
        self.status = status


class ServerError(VendorError):
    """500, 502, 503 or 504, with the status's phrase as its sentence."""

    def __init__(self, status: int = 500) -> None:
        super().__init__(HTTPStatus(status).phrase)
        self.status = status

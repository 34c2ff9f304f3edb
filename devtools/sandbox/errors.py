"""CloudFront's own error codes, raised by the sandbox so boto3 sees what AWS would send.

moto serializes a ``ServiceException`` into CloudFront's XML error envelope and takes the HTTP status from
botocore's service model, so a code that exists there (``PreconditionFailed`` -> 412) needs nothing more.
``status`` overrides it for codes the model does not list (``Throttling``) or for injected faults.
"""

from moto.core.errors import COMMON_ERROR_CODES
from moto.core.exceptions import ServiceException

CERTIFICATE_INVALID = (
    "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, "
    "or doesn't include a valid certificate chain."
)
CERTIFICATE_DOES_NOT_COVER = (
    "The certificate that is attached to your distribution doesn't cover the alternate domain name "
    "(CNAME) that you're trying to add."
)
ALIAS_NEEDS_CERTIFICATE = (
    "To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted "
    "certificate that validates your authorization to use the domain name."
)


class SandboxError(ServiceException):
    """An AWS error with its code, message and (optionally) an explicit HTTP status."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(code, message)
        self.status = status
        # moto warns about codes missing from the service's model (Throttling, InvalidationBatchAlreadyExists,
        # injected faults), although AWS sends them; codes on its "common" list are exempt.
        if code not in COMMON_ERROR_CODES:
            COMMON_ERROR_CODES.append(code)


def precondition_failed() -> SandboxError:
    return SandboxError("PreconditionFailed", "The request failed because it didn't meet the preconditions.")


def invalid_if_match() -> SandboxError:
    return SandboxError("InvalidIfMatchVersion", "The If-Match version is missing or not valid.")


def no_such_distribution() -> SandboxError:
    return SandboxError("NoSuchDistribution", "The specified distribution does not exist.")


def invalid_argument(message: str) -> SandboxError:
    return SandboxError("InvalidArgument", message)


def throttling() -> SandboxError:
    # Not in CloudFront's model; AWS sends it as a 400 with this exact message.
    return SandboxError("Throttling", "Rate exceeded", status=400)

"""Typed edits to a CloudFront DistributionConfig (docs/ARCHITECTURE.md, "Changes are edits, not configs").

An edit names its target by natural key (a behavior's PathPattern, an origin's Id), never by list index, so
it can be re-applied to a config that moved since it was planned (see rebase.py). Configs are plain dicts
shaped like boto3's DistributionConfig; inputs are never mutated. Each edit knows the field it touches
(a path in diff.py's notation), how to read that field's current value, and the value it writes, in one
canonical shape, so that planned, live and wanted values compare with `==`.

Each kind is one class in its own module: its fields (and from them its JSON form and API serializer),
how it applies, and how it is validated. base.py holds what they share.
"""

from distributions.cloudfront.edits.base import EDIT_KINDS, Edit, EditFormatError, edit_from_dict, json_fields

# isort: off
# Importing a kind registers it: this order is the order the API and its error messages list the kinds.
from distributions.cloudfront.edits.viewer_protocol_policy import SetViewerProtocolPolicy
from distributions.cloudfront.edits.origin_protocol_policy import SetOriginProtocolPolicy
from distributions.cloudfront.edits.origin_ssl_protocols import SetOriginSslProtocols
from distributions.cloudfront.edits.viewer_certificate import (
    CERTIFICATE_SOURCES,
    SetViewerCertificate,
    read_viewer_certificate,
)
from distributions.cloudfront.edits.reorder_behaviors import ReorderBehaviors
from distributions.cloudfront.edits.invalidate import Invalidate
from distributions.cloudfront.edits.logging import SetLogging

# isort: on

__all__ = [
    "CERTIFICATE_SOURCES",
    "EDIT_KINDS",
    "Edit",
    "EditFormatError",
    "Invalidate",
    "ReorderBehaviors",
    "SetLogging",
    "SetOriginProtocolPolicy",
    "SetOriginSslProtocols",
    "SetViewerCertificate",
    "SetViewerProtocolPolicy",
    "edit_from_dict",
    "json_fields",
    "read_viewer_certificate",
]

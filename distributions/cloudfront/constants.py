"""CloudFront's enums and quotas (docs/CLOUDFRONT.md), in one place."""

from typing import Final

VIEWER_PROTOCOL_POLICIES: Final = ("allow-all", "redirect-to-https", "https-only")
ORIGIN_PROTOCOL_POLICIES: Final = ("http-only", "match-viewer", "https-only")
ORIGIN_SSL_PROTOCOLS: Final = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2")
SSL_SUPPORT_METHODS: Final = ("sni-only", "vip", "static-ip")
# Oldest first: the index is the strength order used for "below TLSv1.2_2018" style checks.
MINIMUM_PROTOCOL_VERSIONS: Final = (
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
)
# CloudFront.15's recommended policies (*unconfirmed* list in docs/CLOUDFRONT.md §7).
RECOMMENDED_PROTOCOL_VERSIONS: Final = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
# What `vip` accepts without a support case.
VIP_ALLOWED_PROTOCOL_VERSIONS: Final = ("SSLv3", "TLSv1")
# What CloudFront forces on the *.cloudfront.net default certificate, whatever is sent.
DEFAULT_CERTIFICATE_PROTOCOL_VERSION: Final = "TLSv1"
METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "OPTIONS", "DELETE")
# AllowedMethods is one of three sets and CachedMethods one of two (CloudFront API reference, AllowedMethods).
ALLOWED_METHOD_SETS: Final = (
    frozenset({"GET", "HEAD"}),
    frozenset({"GET", "HEAD", "OPTIONS"}),
    frozenset(METHODS),
)
CACHED_METHOD_SETS: Final = (frozenset({"GET", "HEAD"}), frozenset({"GET", "HEAD", "OPTIONS"}))
# DistributionConfig.HttpVersion: what viewers may negotiate beyond HTTP/1.0 and 1.1, which every
# distribution serves.
HTTP_VERSIONS: Final = ("http1.1", "http2", "http3", "http2and3")
DEFAULT_HTTP_VERSION: Final = "http2"

MAX_CACHE_BEHAVIORS: Final = 75
MAX_ORIGINS: Final = 100
MAX_ALIASES: Final = 100
MAX_PATH_PATTERN_LENGTH: Final = 255
MAX_INVALIDATION_PATH_LENGTH: Final = 4000
MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS: Final = 3000
MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS: Final = 15
# boto3's list calls return at most this many items a page.
LIST_PAGE_SIZE: Final = 100

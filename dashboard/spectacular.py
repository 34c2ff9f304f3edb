"""The OpenAPI schema's settings (drf-spectacular): fixed, no environment variable; settings.py imports
them."""

SPECTACULAR_SETTINGS = {
    "TITLE": "Edgeguard API",
    "DESCRIPTION": "The HTTPS settings of CloudFront distributions: read the fleet, propose changes, "
    "approve them, follow them until deployed. Every write goes through a change request. See docs/API.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["distributions.api.permissions.RolePermission"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ChangeStatusEnum": "distributions.choices.ChangeStatus",
        "ItemStatusEnum": "distributions.choices.ItemStatus",
        "DeploymentStatusEnum": "distributions.choices.DeploymentStatus",
        "SyncStatusEnum": "distributions.choices.SyncStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "distributions.api.schema.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

"""Development-only tools: the local CloudFront sandbox, the demo set-up, `manage.py rundemo` and `sandbox`.

Installed with requirements-dev.txt and added to INSTALLED_APPS only when its dependencies are there, so a
production install carries neither it nor moto. It may import the product; the product never imports it.
"""

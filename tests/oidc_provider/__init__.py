"""A real OpenID provider for the single sign-on tests: a small Django project on django-oauth-toolkit.

Started as its own process by tests/browser/test_sso.py (`python -m tests.oidc_provider`); everything it
needs (its SQLite database, its RSA signing key, its users and its client) is made at start in a temporary
folder, from the environment the fixture sets: nothing is fetched and nothing outside that folder is written.
"""

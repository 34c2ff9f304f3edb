"""The REST API's shapes, one module per resource area; input fields shared by them are in api/fields.py."""

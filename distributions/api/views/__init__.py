"""The REST API's viewsets, one module per resource area. Each action is one selector read or one service
call; errors become JSON in api/errors.py."""

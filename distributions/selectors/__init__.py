"""Every read, shaped for the pages and the API: fleet, changes, review, posture, simulator, audit, tokens.

Selectors read and never write; services (which write) may call them, never the reverse.
"""

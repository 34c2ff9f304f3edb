"""HTML views, one module per area: fleet, edit (the console's edit flow), changes, audit, posture, tokens.

Views are thin: they read through `distributions.selectors`, write through `distributions.services`, and
check roles with `common.requires`.
"""

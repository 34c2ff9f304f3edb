"""Pure CloudFront semantics: no Django, no boto3, no I/O.

Everything here works on plain data shaped like boto3's DistributionConfig dicts, so it can be tested by
the thousand and shared by the sandbox, the services, the views and the API.
"""

"""A real OpenID Connect provider for the tests: django-oidc-provider in its own small Django
project (``site``), run by ``serve`` in a subprocess on a loopback port. It stands in for a
provincial unified identity platform: its residents have a name, an ID number and a phone.

``start_provider(redirect_uris)`` (in ``process``) starts one and stops it when the block ends.
"""

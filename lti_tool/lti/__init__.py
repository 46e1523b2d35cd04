"""LTI 1.3: OIDC login, launch validation, keys; the one place that speaks LTI."""

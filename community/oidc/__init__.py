"""Sign-in with the brand's OpenID Connect provider, configured per tenant."""

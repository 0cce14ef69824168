import pytest

from community.crypto import Unsealable, seal, unseal

KEY = "k" * 40


def test_a_sealed_secret_comes_back_and_does_not_show_itself() -> None:
    sealed = seal(KEY, "oidc-client-secret", "s3cret-value")
    assert "s3cret" not in sealed
    assert unseal(KEY, "oidc-client-secret", sealed) == "s3cret-value"


@pytest.mark.parametrize(
    ("key", "purpose"), [("x" * 40, "oidc-client-secret"), (KEY, "sso-token-secret")]
)
def test_another_key_or_purpose_cannot_unseal(key: str, purpose: str) -> None:
    sealed = seal(KEY, "oidc-client-secret", "s3cret-value")
    with pytest.raises(Unsealable):
        unseal(key, purpose, sealed)


def test_a_tampered_value_is_refused() -> None:
    sealed = seal(KEY, "p", "value")
    with pytest.raises(Unsealable):
        unseal(KEY, "p", sealed[:-4] + "AAAA")
    with pytest.raises(Unsealable):
        unseal(KEY, "p", "not sealed at all é")

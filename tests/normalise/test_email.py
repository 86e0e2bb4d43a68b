"""E-mail: syntax only (no DNS), domain lower case in the script it was written in, mailto: dropped."""
from __future__ import annotations

import pytest

from alphaimport.normalise import email
from alphaimport.normalise.base import Invalid


@pytest.mark.parametrize(("raw", "clean"), [
    ("Jan@Example.COM", "Jan@example.com"),
    ("MAILTO:jan@example.com", "jan@example.com"),
    ("jan@münchen.DE", "jan@münchen.de"),
    ("jan@XN--MNCHEN-3YA.DE", "jan@xn--mnchen-3ya.de"),
])
def test_normalised(raw: str, clean: str) -> None:
    assert email.make()(raw).value == clean


@pytest.mark.parametrize("raw", ["mailto:", "jan@localhost", "\"jan jansen\"@example.com", "jan@exa mple.com"])
def test_refused(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        email.make()(raw)
    assert caught.value.code == "invalid-email"


def test_no_dns_look_up(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a DNS look-up was made")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert email.make()("jan@does-not-exist.example").value == "jan@does-not-exist.example"

"""What the console keeps per server (on ``app.state.console``): the product it serves, the
session signer and the sign-in limiter."""

from __future__ import annotations

from trailhound.api.console.sessions import SessionSigner, load_secret
from trailhound.api.deps import Product
from trailhound.api.users import LoginLimiter


class ConsoleState:
    """What the console keeps per server: session signing and the sign-in limiter."""

    def __init__(self, found: Product) -> None:
        self.product = found
        self.signer = SessionSigner(load_secret(found.data_dir), found.users)
        self.limiter = LoginLimiter()

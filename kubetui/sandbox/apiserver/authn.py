"""Who a request is: the users the sandbox authenticates, and the tokens it issues.

The admin token (or client certificate) in the sandbox's kubeconfig is one user, as
kubeadm and kind write theirs; a TokenRequest (`kubectl create token SA`) issues a bound
service-account token that authenticates as `system:serviceaccount:<ns>:<name>` until it
expires (pkg/serviceaccount, pkg/registry/core/serviceaccount/storage/token.go). TokenReview
and SelfSubjectReview (`kubectl auth whoami`) answer from the same table.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

#: The audience the API server's own tokens carry (kube-apiserver --api-audiences default).
API_AUDIENCE = "https://kubernetes.default.svc.cluster.local"
#: TokenRequest's default and minimum lifetimes (pkg/apis/authentication validation).
DEFAULT_EXPIRATION = 3600
MIN_EXPIRATION = 600


@dataclass(frozen=True)
class UserInfo:
    username: str
    groups: tuple[str, ...] = ()
    uid: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"username": self.username}
        if self.uid:
            out["uid"] = self.uid
        out["groups"] = list(self.groups)
        return out


#: The kubeconfig's user: cluster-admin, as kubeadm's `kubernetes-admin` is.
ADMIN = UserInfo("kubetui-sandbox", ("kubeadm:cluster-admins", "system:authenticated"))


def service_account_user(namespace: str, name: str, uid: str) -> UserInfo:
    return UserInfo(f"system:serviceaccount:{namespace}:{name}",
                    ("system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                     "system:authenticated"), uid)


def _b64(doc: dict[str, Any]) -> str:
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class IssuedTokens:
    """Bound service-account tokens: token -> (user, audiences, expiry on the wall clock)."""

    _tokens: dict[str, tuple[UserInfo, tuple[str, ...], float]] = field(default_factory=dict)

    def issue(self, user: UserInfo, audiences: tuple[str, ...], seconds: int) -> tuple[str,
                                                                                         float]:
        """A JWT-shaped token (header.claims.signature) and when it expires."""
        now = time.time()
        expiry = now + seconds
        claims = {"aud": list(audiences), "exp": int(expiry), "iat": int(now),
                  "iss": API_AUDIENCE, "sub": user.username}
        token = ".".join((_b64({"alg": "RS256", "kid": "kubetui-sandbox"}), _b64(claims),
                          secrets.token_urlsafe(32)))
        self._tokens[token] = (user, audiences, expiry)
        return token, expiry

    def lookup(self, token: str) -> tuple[UserInfo, tuple[str, ...]] | None:
        entry = self._tokens.get(token)
        if entry is None:
            return None
        user, audiences, expiry = entry
        if time.time() >= expiry:
            del self._tokens[token]
            return None
        return user, audiences

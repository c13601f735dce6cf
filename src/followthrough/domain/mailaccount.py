"""The mailbox the app watches for replies: where it is and how to reach it, checked.

Pure, and without the password: that lives only in the OS keyring (services/secrets.py),
under `account.key`, so nothing here can leak it into the database, an export or a log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from followthrough.domain.leadfields import refuse_hidden
from followthrough.errors import InvalidData

DEFAULT_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 24 * 60


class Security(StrEnum):
    TLS = "tls"  # implicit TLS, usually port 993
    STARTTLS = "starttls"  # plain connection upgraded to TLS, usually port 143

    @property
    def default_port(self) -> int:
        return 993 if self is Security.TLS else 143


@dataclass(frozen=True)
class MailAccount:
    host: str
    user: str
    security: Security = Security.TLS
    port: int = 993
    inbox: str = "INBOX"
    sent: str = "Sent"
    interval_minutes: int = DEFAULT_INTERVAL_MINUTES
    ca_file: str | None = None  # a server with its own certificate authority (self-hosted)

    @property
    def key(self) -> str:
        """The account's name in the keyring: one entry per account."""
        return f"{self.user}@{self.host}:{self.port}"

    @classmethod
    def create(
        cls,
        *,
        host: str,
        user: str,
        security: str | Security = Security.TLS,
        port: int | None = None,
        inbox: str = "INBOX",
        sent: str = "Sent",
        interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
        ca_file: str | None = None,
    ) -> MailAccount:
        """Check what a user typed; InvalidData names the field."""
        host = host.strip()
        if not host or any(ch.isspace() for ch in host) or "/" in host:
            raise InvalidData("the server name is empty or not a host name", "host")
        user = user.strip()
        if not user:
            raise InvalidData("the user name is empty", "user")
        try:
            mode = Security(str(security).strip().lower())
        except ValueError:
            raise InvalidData("security is tls or starttls", "security") from None
        port = mode.default_port if port is None else port
        if not 1 <= port <= 65535:
            raise InvalidData(f"port {port} is not between 1 and 65535", "port")
        folders = {"inbox": inbox.strip(), "sent": sent.strip()}
        for field, folder in folders.items():
            if not folder:
                raise InvalidData(f"the {field} folder name is empty", field)
        # The same rule as every field: no control or text-direction characters.
        for field, value in (("host", host), ("user", user), *folders.items(),
                             ("ca_file", ca_file or "")):  # fmt: skip
            refuse_hidden(value, field)
        if not 1 <= interval_minutes <= MAX_INTERVAL_MINUTES:
            raise InvalidData(
                f"check every 1 to {MAX_INTERVAL_MINUTES} minutes, not {interval_minutes}",
                "interval",
            )
        return cls(
            host=host,
            user=user,
            security=mode,
            port=port,
            inbox=folders["inbox"],
            sent=folders["sent"],
            interval_minutes=interval_minutes,
            ca_file=(ca_file or "").strip() or None,
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "security": self.security.value}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> MailAccount:
        return cls.create(**value)

"""SMTP e-mail sink (stdlib ``smtplib``), for shops whose people live in their inbox.

Security modes: ``starttls`` (port 587, the default: plain connection upgraded with STARTTLS,
which must be offered), ``ssl`` (port 465, TLS from the first byte, e.g. QQ/163/Aliyun mail) and
``none`` (port 25, only for a relay on this machine: a password is never sent in clear to
another host). Certificates are verified with the system's CAs or ``ca_file``.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ordersync_app.alerts.sinks import Alert
from ordersync_app.domain.errors import SetupError, TransientError
from ordersync_app.domain.redact import clip, mask, register_secret

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class EmailSink:
    """Sends each alert as one plain-text UTF-8 e-mail to the configured recipients."""

    def __init__(self, host: str, *, sender: str, recipients: Sequence[str], port: int | None = None,
                 security: str = "starttls", username: str | None = None, password: str | None = None,
                 timeout: float = 20.0, ca_file: str | None = None) -> None:
        if security not in SECURITY_MODES:
            raise SetupError(f"unknown e-mail security '{security}'", hint="use starttls, ssl or none")
        self.recipients = [r.strip() for r in recipients if r.strip()]
        if not host or not sender or not self.recipients:
            raise SetupError("the e-mail alert needs host, sender and recipients",
                             hint="ordersync alerts set email --set host=… --set sender=… --set recipients=a@x,b@y")
        if security == "none" and password and host not in _LOOPBACK:
            raise SetupError("refusing to send the mail password without encryption",
                             hint="use security=starttls (port 587) or security=ssl (port 465)")
        register_secret(password)
        self.host, self.sender, self.security = host, sender, security
        self.port = port or DEFAULT_PORTS[security]
        self.username, self.password = username or None, password or None
        self.timeout = timeout
        self.ca_file = ca_file or None

    def message(self, alert: Alert) -> EmailMessage:
        """The e-mail for ``alert``: bilingual subject and body."""
        msg = EmailMessage()
        msg["Subject"] = alert.title
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain="ordersync.local")
        # base64 keeps the Chinese lines intact even through relays without 8BITMIME.
        msg.set_content(alert.text() + "\n", charset="utf-8", cte="base64")
        return msg

    def send(self, alert: Alert) -> None:
        """Connect, log in when a user name is set, and send.

        Raises:
            SetupError: the server refused us (login, sender, recipients, TLS, no STARTTLS).
            TransientError: the server is unreachable or answered a temporary (4xx) error.
        """
        where = f"mail server {self.host}:{self.port}"
        try:
            context = ssl.create_default_context(cafile=self.ca_file)
        except OSError as exc:  # includes a ca_file that cannot be read (ssl.SSLError is an OSError)
            raise SetupError(f"cannot load the certificate file {self.ca_file}",
                             hint="fix or remove the ca_file setting") from exc
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if self.security == "starttls":
                    client.starttls(context=context)
                    client.ehlo()
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(self.message(alert))
        except smtplib.SMTPNotSupportedError as exc:
            raise SetupError(f"the {where} does not offer STARTTLS",
                             hint="use security=ssl (usually port 465), or ask the mail provider") from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise SetupError(f"the {where} refused the user name or password", vendor_message=_said(exc),
                             hint="check the user name and the (app) password; many providers need an "
                                  "authorisation code instead of the login password") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise SetupError(f"the {where} refused the recipients {', '.join(exc.recipients)}",
                             hint="check the recipients") from exc
        except smtplib.SMTPSenderRefused as exc:
            raise SetupError(f"the {where} refused the sender {self.sender}", vendor_message=_said(exc),
                             hint="most servers require the sender to be the logged-in address") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientError(f"the {where} answered {exc.smtp_code}", vendor_message=_said(exc)) from exc
            raise SetupError(f"the {where} refused the message ({exc.smtp_code})", vendor_message=_said(exc)) from exc
        except ssl.SSLError as exc:
            raise SetupError(f"TLS with the {where} failed: {mask(exc.reason or type(exc).__name__)}",
                             hint="check host, port and security (ssl for 465, starttls for 587)") from exc
        except (smtplib.SMTPException, OSError) as exc:  # OSError covers timeouts and refusals
            raise TransientError(f"the {where} could not be reached: {mask(type(exc).__name__)}") from exc


def _said(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return clip(text, 300)

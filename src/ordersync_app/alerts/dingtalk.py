"""DingTalk group robot (钉钉自定义机器人) sink, with the "加签" (signed) security setting.

Shop owners in China watch a DingTalk group far more than an inbox, so a failing recipe is
announced there. Facts used (DingTalk open platform, custom robot docs:
https://open.dingtalk.com/document/robots/customize-robot-security-settings and
https://open.dingtalk.com/document/group/custom-robot-access; mirrored at
https://apifox.com/apidoc/docs-site/467052/doc-3550006):

* 加签: ``string_to_sign = timestamp + "\\n" + secret`` with ``timestamp`` in milliseconds (at most
  one hour off DingTalk's clock), HMAC-SHA256 keyed with the secret (the ``SEC…`` string), then
  Base64, then URL-encoded (UTF-8); ``&timestamp=…&sign=…`` is appended to the webhook URL.
* Message: ``{"msgtype": "text", "text": {"content": …}, "at": {"atMobiles": […], "isAtAll": false}}``
  POSTed as UTF-8 JSON; the answer is ``{"errcode": 0, "errmsg": "ok"}`` (310000 = signature or
  keyword mismatch).
* The "custom keyword" security setting only accepts messages containing one of the keywords.
* 20 messages per minute per robot; the doc asks monitoring to send digests, which our policy does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from ordersync_app.alerts.sinks import Alert, check_webhook_url, post_json, register_webhook_secrets
from ordersync_app.domain.redact import register_secret

VENDOR = "DingTalk"


def sign(secret: str, timestamp_ms: int) -> str:
    """The URL-encoded ``sign`` parameter for ``timestamp_ms`` (the doc's algorithm, step by step)."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return quote(base64.b64encode(digest).decode("ascii"), safe="")


def signed_url(webhook: str, secret: str | None, timestamp_ms: int) -> str:
    """The webhook URL with ``&timestamp=…&sign=…`` appended (unchanged without a secret)."""
    if not secret:
        return webhook
    separator = "&" if "?" in webhook else "?"
    return f"{webhook}{separator}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


class DingTalkSink:
    """Sends alerts as text messages to one DingTalk group robot."""

    def __init__(self, webhook: str, *, secret: str | None = None, keyword: str | None = None,
                 at_mobiles: Sequence[str] = (), at_all: bool = False, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.webhook = check_webhook_url(webhook, VENDOR)
        register_webhook_secrets(self.webhook)
        register_secret(secret)
        self.secret = secret or None
        self.keyword = (keyword or "").strip() or None
        self.at_mobiles = [m.strip() for m in at_mobiles if m.strip()]
        self.at_all = at_all
        self.timeout = timeout
        self._transport = transport
        self._clock = clock

    def payload(self, alert: Alert) -> dict[str, Any]:
        """The robot message for ``alert``; the keyword leads the text when it is not already in it."""
        content = alert.text()
        if self.keyword and self.keyword not in content:
            content = f"[{self.keyword}] {content}"
        return {"msgtype": "text", "text": {"content": content},
                "at": {"atMobiles": self.at_mobiles, "isAtAll": self.at_all}}

    def send(self, alert: Alert) -> None:
        """Sign and post ``alert``.

        Raises:
            SetupError: the robot refused it (webhook, secret or keyword wrong).
            TransientError: network trouble or DingTalk's rate limit.
        """
        url = signed_url(self.webhook, self.secret, round(self._clock() * 1000))
        post_json(url, self.payload(alert), vendor=VENDOR, timeout=self.timeout, transport=self._transport)

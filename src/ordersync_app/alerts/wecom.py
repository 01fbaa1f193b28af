"""WeCom group robot (企业微信群机器人) sink.

Facts used (WeCom docs, "群机器人配置说明": https://developer.work.weixin.qq.com/document/path/91770,
also quoted at https://037163.com/service/2020-06-18/1078.html):

* POST UTF-8 JSON to the robot's webhook ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``;
  the key in the URL is the only credential (we keep the whole URL in the keychain).
* Text message: ``{"msgtype": "text", "text": {"content": …, "mentioned_mobile_list": […]}}``;
  ``content`` is at most 2048 bytes of UTF-8; ``"@all"`` in the list mentions everyone.
* The answer is ``{"errcode": 0, "errmsg": "ok"}``; 93000 = invalid webhook URL, 45009 = rate limit
  (20 messages per minute per robot).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from ordersync_app.alerts.sinks import Alert, check_webhook_url, post_json, register_webhook_secrets, truncate_utf8

VENDOR = "WeCom"
MAX_TEXT_BYTES = 2048


class WeComSink:
    """Sends alerts as text messages to one WeCom group robot."""

    def __init__(self, webhook: str, *, mentioned_mobiles: Sequence[str] = (), timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.webhook = check_webhook_url(webhook, VENDOR)
        register_webhook_secrets(self.webhook)
        self.mentioned_mobiles = [m.strip() for m in mentioned_mobiles if m.strip()]
        self.timeout = timeout
        self._transport = transport

    def payload(self, alert: Alert) -> dict[str, Any]:
        """The robot message for ``alert`` (cut to WeCom's 2048-byte limit)."""
        text: dict[str, Any] = {"content": truncate_utf8(alert.text(), MAX_TEXT_BYTES)}
        if self.mentioned_mobiles:
            text["mentioned_mobile_list"] = self.mentioned_mobiles
        return {"msgtype": "text", "text": text}

    def send(self, alert: Alert) -> None:
        """Post ``alert``.

        Raises:
            SetupError: the robot refused it (wrong or deleted webhook).
            TransientError: network trouble or WeCom's rate limit.
        """
        post_json(self.webhook, self.payload(alert), vendor=VENDOR, timeout=self.timeout, transport=self._transport)

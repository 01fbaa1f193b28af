"""What the Add-account form asks, per app: the sign-in method first, then only that method's fields.

Why: a connector declares *all* its settings in one flat list (HubSpot: a private-app token, an OAuth client
ID, secret and refresh token, a sign-in page address, a plan…). Shown at once they overwhelm a shop owner,
and choices show raw values (``private_app``, ``standard``). This table groups the declared settings by
sign-in method, marks the advanced ones, and gives every choice a label in both languages. It is data
about the connectors that the SDK has no place for yet; when connector declarations carry sign-in methods
this table moves there. A connector missing here gets one method with all its settings.

Vendor facts used (tags as in shared/API-FACTS-DETAIL.md):
- HubSpot signs in with a private-app (static) token or OAuth 2.0; plans set the 10-second budget:
  Free/Starter 100, Professional/Enterprise 190, with the API limit increase 250 [V]
  https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines
- Shopify custom apps use an Admin API access token, or (Dev Dashboard apps for your own store) a client
  ID and secret exchanged for a token with the client-credentials grant [V]
  https://shopify.dev/docs/apps/build/authentication-authorization/client-secrets ; GraphQL restore rates
  100/200/1,000 points per second for Standard (Basic, Grow, Shopify), Advanced and Plus [V]
  https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
- Jushuitan: app key and secret plus the access token issued when the merchant authorises the app [S]
  (connectors/jushuitan.py).
- WooCommerce REST API v3: consumer key and secret made under WooCommerce → Settings → Advanced → REST API [V]
  https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication
"""

from __future__ import annotations

from dataclasses import dataclass

from ordersync_app.connectors.sdk.spec import Connector, Setting
from ordersync_app.services.explain import Text

__all__ = ["SANDBOX_METHOD", "SignInMethod", "choice_label", "method_of", "setting_label", "sign_in_methods"]

SANDBOX_METHOD = "sandbox"


@dataclass(frozen=True)
class SignInMethod:
    """One way to connect an account.

    Attributes:
        key: ``private_app``, ``oauth``, ``token``, ``client_credentials``, ``sandbox``…
        label: what the choice is called.
        help: one sentence on where its values come from.
        fields: the setting keys to ask for, in order (advanced ones are listed in ``advanced``).
        advanced: setting keys shown only under "Advanced".
        fixed: settings this method implies (HubSpot ``auth_mode=oauth``).
        browser: the account finishes signing in in the web browser ("Sign in with …").
        required: setting keys this method needs even where the connector marks them optional.
    """

    key: str
    label: Text
    help: Text
    fields: tuple[str, ...]
    advanced: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    browser: bool = False
    required: tuple[str, ...] = ()


_SANDBOX = SignInMethod(
    SANDBOX_METHOD, Text("Built-in sandbox (demo data, no sign-in)", "内置沙盒（演示数据，无需登录）"),
    Text("Try OrderSync with a local demo shop and CRM; nothing leaves this computer.",
         "用本机上的演示店铺和 CRM 试用 OrderSync，数据不会离开这台电脑。"), ())

_METHODS: dict[str, tuple[SignInMethod, ...]] = {
    "hubspot": (
        SignInMethod("private_app", Text("Private app access token", "私有应用访问令牌"),
                     Text("In HubSpot: Settings → Integrations → Private apps → your app → Access token.",
                          "在 HubSpot 中：设置 → 集成 → 私有应用 → 你的应用 → 访问令牌。"),
                     ("access_token", "plan"), fixed=(("auth_mode", "private_app"),), required=("access_token",)),
        SignInMethod("oauth", Text("Sign in with HubSpot (OAuth)", "用 HubSpot 账号登录（OAuth）"),
                     Text("Uses your HubSpot app's client ID and secret; you then approve access in the browser.",
                          "使用你的 HubSpot 应用的客户端 ID 和密钥，然后在浏览器中批准访问。"),
                     ("client_id", "client_secret", "plan", "authorize_url"), advanced=("authorize_url",),
                     fixed=(("auth_mode", "oauth"),), browser=True, required=("client_id", "client_secret")),
    ),
    "shopify": (
        SignInMethod("token", Text("Admin API access token", "Admin API 访问令牌"),
                     Text("In Shopify admin: Settings → Apps → Develop apps → your app → API credentials.",
                          "在 Shopify 后台：设置 → 应用 → 开发应用 → 你的应用 → API 凭据。"),
                     ("shop", "access_token", "plan", "api_version"), advanced=("api_version",),
                     fixed=(("auth_mode", "token"),), required=("access_token",)),
        SignInMethod("client_credentials", Text("Client ID and secret (Dev Dashboard app)",
                                                "客户端 ID 和密钥（开发者后台应用）"),
                     Text("For an app made in the Shopify Dev Dashboard for your own store.",
                          "适用于在 Shopify 开发者后台为自己店铺创建的应用。"),
                     ("shop", "client_id", "client_secret", "plan", "api_version"), advanced=("api_version",),
                     fixed=(("auth_mode", "client_credentials"),), required=("client_id", "client_secret")),
    ),
    "woocommerce": (
        SignInMethod("keys", Text("REST API keys", "REST API 密钥"),
                     Text("In WordPress: WooCommerce → Settings → Advanced → REST API → Add key (read access).",
                          "在 WordPress 中：WooCommerce → 设置 → 高级 → REST API → 添加密钥（读取权限）。"),
                     ("site", "consumer_key", "consumer_secret", "auth_in"), advanced=("auth_in",)),
    ),
}

# Labels where a connector declares none in Chinese (its vendor's own term stays, for recognition).
_LABELS: dict[tuple[str, str], Text] = {
    ("woocommerce", "consumer_key"): Text("Consumer key", "用户密钥（Consumer key）"),
    ("woocommerce", "consumer_secret"): Text("Consumer secret", "用户密码（Consumer secret）"),
}

_CHOICES: dict[tuple[str, str], dict[str, Text]] = {
    ("hubspot", "plan"): {
        "starter": Text("Free or Starter", "免费版或入门版"),
        "professional": Text("Professional", "专业版"),
        "enterprise": Text("Enterprise", "企业版"),
        "api_increase": Text("With the API limit increase", "已购买 API 额度提升"),
    },
    ("hubspot", "auth_mode"): {
        "private_app": Text("Private app access token", "私有应用访问令牌"),
        "oauth": Text("Sign in with HubSpot (OAuth)", "用 HubSpot 账号登录（OAuth）"),
    },
    ("shopify", "auth_mode"): {
        "token": Text("Admin API access token", "Admin API 访问令牌"),
        "client_credentials": Text("Client ID and secret (Dev Dashboard app)", "客户端 ID 和密钥（开发者后台应用）"),
    },
    ("woocommerce", "auth_in"): {
        "header": Text("In the request header (usual)", "放在请求头中（常用）"),
        "query": Text("In the address, for hosts that drop the header", "放在网址参数中（适用于会丢弃请求头的主机）"),
    },
    ("shopify", "plan"): {
        "standard": Text("Basic, Grow or Shopify", "Basic、Grow 或 Shopify 套餐"),
        "advanced": Text("Advanced", "Advanced 套餐"),
        "plus": Text("Shopify Plus", "Shopify Plus"),
    },
}


def _declared_methods(conn: Connector) -> tuple[SignInMethod, ...]:
    """Sign-in methods from the connector's own declarations: a choice setting that other settings name in
    ``shown_when`` is the method; each of its choices (``choice_labels``) is one, asking for the settings shown
    for it (required unless they have a default), and signing in in the browser where the connector's OAuth
    sign-in is that choice. Optional settings with a default, and optional ones shown for every method, go
    under "Advanced"."""
    named = {key for s in conn.settings for key in s.shown_when}
    chooser = next((s for s in conn.settings if s.key in named and s.choices), None)
    advanced = tuple(s.key for s in conn.settings if not s.required and not s.shown_when and s is not chooser
                     and (s.default is not None or not s.secret))
    if chooser is None:
        everything = tuple(s.key for s in conn.settings)
        return (SignInMethod("default", Text("App credentials", "应用凭据"), Text("", ""), everything,
                             advanced=advanced),)
    methods = []
    for value in chooser.choices:
        en, zh = chooser.choice_labels.get(value, (value, value))
        fields = tuple(s.key for s in conn.settings
                       if s is not chooser and value in s.shown_when.get(chooser.key, (value,)))
        own = tuple(s.key for s in conn.settings  # asked only for this method, and with no default to fall back on
                    if value in s.shown_when.get(chooser.key, ()) and s.default is None)
        methods.append(SignInMethod(value, Text(en, zh), Text(chooser.help_en, chooser.help_zh), fields,
                                    advanced=tuple(k for k in advanced if k in fields),
                                    fixed=((chooser.key, value),), required=own,
                                    browser=conn.oauth is not None and conn.oauth.when == (chooser.key, value)))
    return tuple(methods)


def sign_in_methods(conn: Connector, *, with_sandbox: bool = True) -> tuple[SignInMethod, ...]:
    """The ways to connect an account of ``conn``, the usual one first (the sandbox last, when it has one)."""
    known = _METHODS.get(conn.key) or _declared_methods(conn)
    return known + ((_SANDBOX,) if with_sandbox and conn.sandbox else ())


def method_of(conn: Connector, settings: dict[str, str], base_url: str = "") -> str:
    """Which method an existing account uses (for "Reconnect"): the one its settings imply."""
    if base_url.startswith("sandbox://"):
        return SANDBOX_METHOD
    methods = sign_in_methods(conn, with_sandbox=False)
    for method in methods:
        if method.fixed and all(settings.get(k) == v for k, v in method.fixed):
            return method.key
    secret = {s.key for s in conn.settings if s.secret}
    for method in methods:
        if any(settings.get(k) for k in method.required if k not in secret):
            return method.key
    return methods[0].key


def setting_label(connector_key: str, setting: Setting) -> Text:
    """A setting's label in both languages (this table's, where the connector has no Chinese one)."""
    found = _LABELS.get((connector_key, setting.key))
    if found is not None and (not setting.label_zh or setting.label_zh == setting.label_en):
        return found
    return Text(setting.label_en, setting.label_zh or setting.label_en)


def choice_label(connector_key: str, setting: Setting, value: str) -> Text:
    """The label of one choice of a setting (the raw value when there is none)."""
    declared = setting.choice_labels.get(value)
    fallback = Text(*declared) if declared else Text(value, value)
    return _CHOICES.get((connector_key, setting.key), {}).get(value, fallback)

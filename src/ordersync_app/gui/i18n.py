"""Languages: Qt translators from ``resources/i18n/*.qm``, the saved choice, and bilingual labels.

Every visible string goes through ``self.tr()``/``QCoreApplication.translate`` so ``pyside6-lupdate``
collects it into ``resources/i18n/ordersync_zh_CN.ts``; ``pyside6-lrelease`` compiles the ``.qm``
(``packaging/translations.sh``; the app compiles a missing ``.qm`` on first run when the tool is
there). Connector and catalogue labels are data with ``_en``/``_zh`` fields, picked by :func:`pick`.
Dates and numbers are formatted with ``QLocale`` of the chosen language.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from ordersync_app import paths

log = logging.getLogger(__name__)
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
_state: dict[str, object] = {"lang": "en", "translators": []}


def resources_dir() -> Path:
    """``resources/`` of the checkout, of the installed wheel, or of the packaged (PyInstaller) app."""
    return paths.resources_dir()


def settings() -> QSettings:
    """The GUI's own preferences (language, tray notice…) beside the data in the data directory."""
    return QSettings(str(paths.home() / "gui.ini"), QSettings.Format.IniFormat)


def system_language() -> str:
    """``zh_CN`` when the system locale is Chinese, else ``en``."""
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def saved_language() -> str | None:
    """The language chosen in Settings, or None to follow the system."""
    value = settings().value("language", "")
    return str(value) if value in LANGUAGES else None


def save_language(lang: str | None) -> None:
    """Remember the language (None = follow the system)."""
    store = settings()
    store.setValue("language", lang or "")
    store.sync()


def current() -> str:
    """The language in use."""
    return str(_state["lang"])


def is_zh() -> bool:
    """Whether Chinese is in use."""
    return current().startswith("zh")


def pick(en: str, zh: str) -> str:
    """The label of a bilingual pair for the language in use."""
    return zh if is_zh() and zh else en


def label(item: object) -> str:
    """The label of a connector Field or Param in the language in use (``label_zh`` when set)."""
    return pick(str(getattr(item, "label", "")), str(getattr(item, "label_zh", "") or ""))


def locale() -> QLocale:
    """The QLocale matching the language in use (dates, numbers, currency)."""
    return QLocale(QLocale.Language.Chinese, QLocale.Country.China) if is_zh() else \
        QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def _qm(lang: str) -> Path:
    return resources_dir() / "i18n" / f"ordersync_{lang}.qm"


def _compile_if_missing(lang: str) -> None:
    """First-run compile of the ``.ts`` when no ``.qm`` was shipped (developer checkouts)."""
    qm, ts = _qm(lang), _qm(lang).with_suffix(".ts")
    if qm.exists() or not ts.exists():
        return
    tool = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    if not Path(tool).exists():
        log.warning("no %s and no pyside6-lrelease to build it; showing English", qm.name)
        return
    subprocess.run([tool, str(ts), "-qm", str(qm)], check=False, capture_output=True)


def install(lang: str | None = None) -> str:
    """Load the translators for ``lang`` (None: the saved choice, else the system's); returns it."""
    chosen = lang or saved_language() or system_language()
    if chosen not in LANGUAGES:
        chosen = "en"
    app = QCoreApplication.instance()
    for old in list(_state["translators"]):  # type: ignore[call-overload]
        if app is not None:
            app.removeTranslator(old)
    loaded: list[QTranslator] = []
    if chosen != "en" and app is not None:
        _compile_if_missing(chosen)
        ours = QTranslator(app)
        if ours.load(str(_qm(chosen))):
            loaded.append(ours)
        else:
            log.warning("could not load translations %s", _qm(chosen))
        qt = QTranslator(app)  # standard buttons and dialogs (OK, Cancel…)
        if qt.load(f"qtbase_{chosen}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            loaded.append(qt)
        for translator in loaded:
            app.installTranslator(translator)
    _state["translators"] = loaded
    _state["lang"] = chosen
    QLocale.setDefault(locale())
    return chosen

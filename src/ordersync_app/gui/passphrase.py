"""The passphrase dialog for the encrypted keyring, where the machine has no system keychain.

Why: without Secret Service/KWallet (many Linux desktops) OrderSync keeps secrets in an encrypted file
that opens with a passphrase. The CLI asks in the terminal; the desktop app asks here, once per session,
before a secret is saved or read (``services.keychain``). The first time, the passphrase is chosen (typed
twice); it is never stored.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ordersync_app.gui.context import AppContext
from ordersync_app.gui.tasks import describe
from ordersync_app.services import keychain


class PassphraseDialog(QDialog):
    """Ask for (or, the first time, choose) the keyring passphrase and unlock the keyring with it."""

    def __init__(self, ctx: AppContext, state: keychain.KeychainState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = state
        self.setWindowTitle(self.tr("Unlock the password store"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        if state.new:
            text = self.tr("This computer has no system keychain, so OrderSync keeps account passwords and tokens "
                           "in an encrypted file. Choose a passphrase for it; you will type it when OrderSync "
                           "starts. It cannot be recovered, so keep it safe.")
        else:
            text = self.tr("OrderSync keeps account passwords and tokens in an encrypted file on this computer. "
                           "Type its passphrase to use them.")
        intro = QLabel(text)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        where = QLabel(state.path)
        where.setObjectName("secondary")
        where.setWordWrap(True)
        layout.addWidget(where)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        if state.new:
            form.addRow(self.tr("Type it again"), self.again)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.unlock)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def unlock(self) -> None:
        """Check the passphrase and unlock (off the GUI thread: the key derivation is slow on purpose)."""
        typed = self.passphrase.text()
        if not typed.strip():
            self.problem.setText(self.tr("Type a passphrase."))
            return
        if self.state.new and typed != self.again.text():
            self.problem.setText(self.tr("The two passphrases differ."))
            return
        self.buttons.setEnabled(False)
        self.problem.setText(self.tr("Unlocking…"))

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.problem.setText(describe(exc) if "does not open" not in str(exc)
                                 else self.tr("This passphrase does not open the password store."))

        self.ctx.tasks.run(lambda: keychain.unlock(typed), on_success=lambda _r: self.accept(), on_failure=failed)


def with_unlocked_keychain(ctx: AppContext, parent: QWidget | None, then: Callable[[], None]) -> None:
    """Run ``then`` once secrets can be used: at once, or after the user typed the passphrase."""
    def checked(state: keychain.KeychainState) -> None:
        if not state.locked:
            then()
            return
        dialog = PassphraseDialog(ctx, state, parent)
        dialog.accepted.connect(then)
        dialog.open()

    ctx.tasks.run(keychain.state, on_success=checked,
                  title=QCoreApplication.translate("PassphraseDialog", "Password store"))

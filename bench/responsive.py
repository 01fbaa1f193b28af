"""How long the window's event loop ever waits during a big run, beside the same window idle.

One process, offscreen Qt, the in-process sandbox apps: the main window shows the Activity page while the
Recipes page's own background path runs a 2,000-order recipe (Shopify orders → HubSpot contacts). A 10 ms
``PreciseTimer`` on the GUI thread records the longest gap between its ticks; the same timer on the same
window, idle for as long as the run took, gives the machine's own noise. The test suite only checks that
the loop keeps running (``tests/gui/test_responsive.py``); the figures live here, as the house rules ask.

    QT_QPA_PLATFORM=offscreen python bench/responsive.py --orders 2000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
TEMPLATE = ROOT / "recipes" / "shopify-order-to-hubspot-contact.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="ordersync-bench-responsive-"))
    os.environ["ORDERSYNC_HOME"] = str(home)
    os.environ["ORDERSYNC_KEYRING_PASSPHRASE"] = "bench"

    from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from ordersync_app.gui import i18n
    from ordersync_app.gui.app import tune_gc
    from ordersync_app.gui.context import AppContext
    from ordersync_app.gui.main_window import MainWindow
    from ordersync_app.services import accounts, recipes, runs, sandbox

    app = QApplication.instance() or QApplication(sys.argv)
    i18n.install("en")
    accounts.add_account("big-shop", "shopify", base_url="sandbox://shopify")
    accounts.add_account("big-crm", "hubspot", base_url="sandbox://hubspot")
    sandbox.seed(args.orders)
    text = TEMPLATE.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text, {"shop": "big-shop", "crm": "big-crm"}, name="big")
    ctx = AppContext()
    window = MainWindow(ctx)
    tune_gc()
    window.show()
    window.show_page("activity")

    gaps: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)

    def tick() -> None:
        gaps.append(clock.nsecsElapsed() / 1e9)
        clock.restart()

    timer.timeout.connect(tick)

    def measure(until: callable) -> list[float]:  # type: ignore[valid-type]
        gaps.clear()
        clock.start()
        timer.start()
        while not until():
            QCoreApplication.processEvents()
            time.sleep(0.001)
        timer.stop()
        return list(gaps)

    done: list[object] = []
    started = time.monotonic()
    ctx.tasks.run(lambda: runs.run_recipe("big"), on_success=done.append)
    during = measure(lambda: bool(done) and ctx.tasks.busy == 0)
    seconds = time.monotonic() - started
    idle_until = time.monotonic() + seconds
    idle = measure(lambda: time.monotonic() >= idle_until)
    summary = done[0]
    print(f"{summary.succeeded} of {args.orders} orders in {seconds:.1f} s")  # type: ignore[attr-defined]
    print("| window | ticks | median gap | p99 gap | longest gap |")
    print("|---|---|---|---|---|")
    for name, values in (("during the run", during), ("idle, same length", idle)):
        ordered = sorted(values)
        p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else 0.0
        print(f"| {name} | {len(values)} | {statistics.median(values) * 1000:.1f} ms | {p99 * 1000:.1f} ms | "
              f"{max(values) * 1000:.1f} ms |")
    ctx.tasks.wait_idle()
    ctx.close()
    sandbox.stop_in_process()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Background pieces: the task helper, the in-app scheduler host and its lock, single instance, tray."""

from __future__ import annotations

import threading

from ordersync_app.domain.errors import SetupError
from ordersync_app.gui import health, single
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.host import SchedulerHost
from ordersync_app.gui.tasks import Tasks
from ordersync_app.gui.tray import Tray


def test_tasks_call_back_on_the_gui_thread(qtbot, window) -> None:
    tasks: Tasks = window.ctx.tasks  # owned by the window's context, which outlives the signal wait
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    results: list[int] = []
    tasks.run(work, on_success=lambda value: (results.append(value), seen.setdefault("callback",
                                                                                    threading.get_ident())))
    qtbot.waitUntil(lambda: results == [42])
    assert seen["worker"] != gui
    assert seen["callback"] == gui
    with qtbot.waitSignal(tasks.failed) as failed:
        tasks.run(lambda: (_ for _ in ()).throw(SetupError("no such account", hint="add one")), title="Testing")
    assert failed.args[0] == "Testing"
    assert failed.args[1].startswith("The account needs attention")  # in plain words, no developer text
    assert tasks.wait_idle()


def test_scheduler_host_takes_the_lock_and_a_second_one_is_told(qtbot, home) -> None:
    first_ctx, second_ctx = AppContext(), AppContext()
    first, second = SchedulerHost(first_ctx), SchedulerHost(second_ctx)
    try:
        with qtbot.waitSignal(first.state_changed, check_params_cb=lambda s: s == "running", timeout=10_000):
            first.start()
        with qtbot.waitSignal(second.state_changed, check_params_cb=lambda s: s == "elsewhere", timeout=10_000):
            second.start()
        assert "already" in second.describe()
        first.set_paused(paused=True)
        assert first.state == "paused"
    finally:
        first.stop()
        second.stop()
        for ctx in (first_ctx, second_ctx):
            ctx.tasks.wait_idle()
            ctx.close()


def test_second_launch_brings_the_first_to_front(qtbot, home) -> None:
    server = single.InstanceServer()
    with qtbot.waitSignal(server.show_requested, timeout=5_000):
        assert single.ask_running_instance()
    server.server.close()


def test_tray_shows_health(qtbot, home) -> None:
    ctx = AppContext()
    tray = Tray(ctx, None)
    tray._set(health.Health(recipes_on=1, recipes_total=1, failed=3))
    assert tray.state == "failing"
    assert "3" in tray.icon.toolTip()
    tray._set(health.Health(recipes_on=1, recipes_total=1))
    assert tray.state == "ok"
    ctx.tasks.wait_idle()
    ctx.close()

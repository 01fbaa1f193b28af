"""One small table model for every list in the app, and a paged variant that fetches as the user scrolls.

Why: hand-filled ``QTableWidget`` items cost a Python object per cell and have to be filled in timed
chunks to keep the window responsive; a :class:`QAbstractTableModel` answers ``data()`` only for the rows
on screen. :class:`RowsModel` shows any list of plain objects through :class:`Column` getters (text,
colour, tooltip, sort key); :class:`PagedRowsModel` adds ``canFetchMore``/``fetchMore`` so the view asks
for the next page (read by the service on a worker thread) when it scrolls near the end. Views sort and
filter through a :class:`QSortFilterProxyModel` (:func:`table_view`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its title and how a row object is shown in it."""

    title: str
    text: Callable[[T], str]
    color: Callable[[T], str | None] | None = None
    tooltip: Callable[[T], str] | None = None
    sort: Callable[[T], Any] | None = None
    stretch: bool = False


class RowsModel(QAbstractTableModel, Generic[T]):
    """A read-only table of row objects."""

    def __init__(self, columns: Sequence[Column[T]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[T] = []

    # -- content ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[T]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: Sequence[T]) -> None:
        """Add rows at the end (a next page)."""
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def row(self, index: Index) -> T | None:
        """The row object at a (source) index."""
        return self.rows[index.row()] if index.isValid() and 0 <= index.row() < len(self.rows) else None

    # -- Qt -----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row(index)
        if item is None:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            color = column.color(item)
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(item) or None
        if role == SORT_ROLE:
            return column.sort(item) if column.sort is not None else column.text(item)
        if role == ROW_ROLE:
            return item
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None


class PagedRowsModel(RowsModel[T]):
    """A :class:`RowsModel` that asks for its next page when the view scrolls near the end.

    ``load_more(done)`` is called (at most once at a time) and must call ``done(rows, has_more)``
    later, on the GUI thread (the page reads the service through ``ctx.tasks``).
    """

    def __init__(self, columns: Sequence[Column[T]], load_more: Callable[[Callable[[list[T], bool], None]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(columns, parent)
        self._load_more = load_more
        self.has_more = False
        self.loading = False
        self.generation = 0  # bumped by reset(): answers for an older filter are dropped

    def reset(self, rows: Sequence[T], *, has_more: bool) -> None:
        """A new first page (the filter changed)."""
        self.generation += 1
        self.loading = False
        self.has_more = has_more
        self.set_rows(rows)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self.has_more and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        if not self.canFetchMore(parent):
            return
        self.loading = True
        generation = self.generation

        def done(rows: list[T], has_more: bool) -> None:
            if generation != self.generation:
                return
            self.loading = False
            self.has_more = has_more
            self.append_rows(rows)

        self._load_more(done)


def table_view(model: RowsModel[Any], *, sortable: bool = True, multi: bool = False,
               parent: QWidget | None = None) -> tuple[QTableView, QSortFilterProxyModel]:
    """A table view over ``model`` through a sorting/filtering proxy, with the app's table habits."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(sortable)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    for i, column in enumerate(model.columns):
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch if column.stretch
                                    else QHeaderView.ResizeMode.Interactive)
    return view, proxy


def selected_rows(view: QTableView) -> list[Any]:
    """The row objects selected in a view made by :func:`table_view`, in view order."""
    selection = view.selectionModel()
    if selection is None:
        return []
    indexes = sorted(selection.selectedRows(), key=lambda i: i.row())
    return [i.data(ROW_ROLE) for i in indexes if i.data(ROW_ROLE) is not None]


def fit_columns(view: QTableView, *, max_width: int = 320) -> None:
    """Size the non-stretching columns to their content (capped), e.g. after the first page arrived."""
    header = view.horizontalHeader()
    for i in range(header.count()):
        if header.sectionResizeMode(i) != QHeaderView.ResizeMode.Stretch:
            view.resizeColumnToContents(i)
            if header.sectionSize(i) > max_width:
                header.resizeSection(i, max_width)

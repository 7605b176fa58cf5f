"""What every view of a page is (the canvas, the compare views, the first frame at start)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView

__all__ = ["setup_page_view"]


def setup_page_view(view: QGraphicsView) -> None:
    """What every view of a page is: its own unindexed scene, no frame, hand-drag panning, hover
    tracking, zoom anchored by the caller (Qt's AnchorUnderMouse asks the X server for the
    cursor), whole-viewport repaints; file drops go to the main window."""
    view.setScene(QGraphicsScene(view))
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
    view.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
    view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
    view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
    view.setMouseTracking(True)
    view.setAcceptDrops(False)
    view.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)

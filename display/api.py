"""Public read endpoint behind every display."""
from flask import jsonify

from shared.web import context

from .blueprint import bp


@bp.get("/api/queue")
def queue_snapshot():
    """Public: current calls, waiting counts and occupancy, with the event `seq`."""
    return jsonify(context.screens().snapshot(context.db()))

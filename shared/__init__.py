"""The core of Antrean that the kiosk, counter and display front ends share.

Modules at this level are plain Python (no Flask, no Socket.IO) so the queue rules can be
tested without an app; ``shared.web`` is the thin layer that binds them to Flask.
"""

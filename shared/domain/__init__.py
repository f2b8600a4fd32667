"""The office's rules, pure: model dataclasses, queue policy, capacity, hours, numbering, events.

Nothing here imports Flask, Socket.IO or sqlite3, and nothing reads the clock: time is
passed in, so every rule is tested without an app, a database or waiting.
"""

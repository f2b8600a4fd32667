"""Read models: what screens and the API show, built from the store in one place.

Each module is one screen's or endpoint's shape (the queue snapshot, a ticket's public
view, a counter's panel). Views only read; writes go through `shared.services`.
"""

"""Write use cases: one transaction each, returning domain results (never HTTP codes).

A service validates with the domain's rules, changes rows through `shared.store`, and
appends the events it caused to the durable event log inside the same transaction; the
relay delivers them to subscribers after the commit.
"""

"""Notes on customers and the customer timeline: everything that happened with a customer, newest
first, merged from every app's own records (see ``timeline.py``)."""

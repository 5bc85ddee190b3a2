"""What a service request tells the features that build on it, without knowing them.

``went_wrong_resolved(request, user, now)`` is sent inside ``services.resolve``'s transaction
when a request flagged "something went wrong" is resolved: culture answers it with a private
draft story and a Today item asking the rep to finish it."""

from __future__ import annotations

from django.dispatch import Signal

went_wrong_resolved = Signal()  # sender: ServiceRequest; arguments: request, user, now

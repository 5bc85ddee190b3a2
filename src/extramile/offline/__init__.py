"""The pocket app: the web app manifest, our own service worker (served from the site root), and
the page side of the offline queue: ``Idempotency-Key`` honoured on page POSTs (``middleware``)."""

"""Replies written and sent from ExtraMile: an e-mail through the outbox (threaded with the
customer's message), or a call back / text logged by hand; and the company's reply templates."""

from django.apps import AppConfig


class MailsyncConfig(AppConfig):
    name = "extramile.mailsync"
    label = "mailsync"
    verbose_name = "Mailbox sync"

    def ready(self) -> None:
        from extramile.mailsync import crypto  # noqa: F401  (registers the key check)

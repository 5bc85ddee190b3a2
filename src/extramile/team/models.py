"""The Team page's figures per rep and finished day, kept (see ``team/days.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RepDay(models.Model):
    """What one rep did on one finished day (in the company's zone ``zone``), as counted at
    ``counted_at``: the counts behind the Team page's activity columns. A row stays right until a
    record of that rep and day changes (the database triggers of migration 0002 then delete it)
    or, for the reply figures, until ``valid_until`` passes (a message of the day still inside
    its reply deadline is judged then)."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    zone = models.CharField(max_length=64)
    counted_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)  # extra-mile actions done
    calls = models.PositiveIntegerField(default=0)
    cards = models.PositiveIntegerField(default=0)  # cards mailed
    cards_passed = models.PositiveIntegerField(default=0)  # of them, mailed without an override
    thanks = models.PositiveIntegerField(default=0)  # thank-you notes mailed
    thanks_on_time = models.PositiveIntegerField(default=0)  # of them, by their mail-by day
    # The messages received that day, judged at ``counted_at`` (``inbox.figures``): answered,
    # answered in time, late (answered late, or unanswered past the deadline).
    answered = models.PositiveIntegerField(default=0)
    within = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rep", "day"], name="repday_once")]

    def __str__(self) -> str:
        return f"{self.rep_id} on {self.day}"


class RepDayReply(models.Model):
    """The answered messages a rep received on a finished day, by response time (business
    minutes): what the median reply is taken over. Written with the day's ``RepDay`` row, read
    only while that row is there (the triggers drop only it), replaced when the day is counted
    again."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    minutes = models.PositiveIntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["rep", "day", "minutes", "n"], name="repdayreply_rep_day")]

    def __str__(self) -> str:
        return f"{self.rep_id} on {self.day}: {self.n} × {self.minutes} min"

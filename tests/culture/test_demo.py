"""The demo: stories in the feed, some kudos, a story of the week and weeks of check-ins."""

from __future__ import annotations

import random

from extramile.culture import demo
from extramile.culture.models import CheckIn, Kudos, Story, Visibility
from extramile.culture.services import story_of_the_week
from tests.conftest import NOW


def test_the_demo_tells_stories(owner, colleague, manager, customer):
    assert demo.populate(NOW, random.Random(7)) == len(demo.STORIES)
    assert Story.objects.filter(visibility=Visibility.PRIVATE).count() == 2
    assert Story.objects.filter(customer=customer).exists()
    assert Kudos.objects.exists()
    assert not Kudos.objects.filter(story__visibility=Visibility.PRIVATE).exists()
    featured = story_of_the_week(NOW.date())
    assert featured is not None and featured.visibility == Visibility.TEAM
    assert CheckIn.objects.filter(user=owner).count() > 10

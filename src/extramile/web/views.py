from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def today(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Today")


@login_required
def customers(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Customers")

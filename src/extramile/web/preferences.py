"""Settings: everyone's own profile; the company's settings for admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from extramile.accounts.forms import CompanyForm, ProfileForm
from extramile.accounts.models import Company
from extramile.web.today import current_user


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    company = Company.get()
    profile = ProfileForm(instance=user, prefix="profile")
    company_form = CompanyForm(instance=company, prefix="company") if user.is_admin_role else None
    if request.method == "POST":
        if "profile-email" in request.POST:
            profile = ProfileForm(request.POST, instance=user, prefix="profile")
            if profile.is_valid():
                profile.save()
                messages.success(request, "Your profile is saved.")
                return redirect("settings")
        else:
            if not user.is_admin_role:
                raise PermissionDenied("Only an admin changes the company's settings.")
            company_form = CompanyForm(request.POST, instance=company, prefix="company")
            if company_form.is_valid():
                company_form.save()
                messages.success(request, "The company's settings are saved.")
                return redirect("settings")
    return render(
        request,
        "web/settings.html",
        {"profile": profile, "company_form": company_form, "company": company},
    )

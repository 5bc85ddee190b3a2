"""Settings: everyone's own profile; the company's settings for admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from extramile import clock
from extramile.accounts.forms import CompanyForm, ProfileForm
from extramile.accounts.models import ApiToken, Company, User
from extramile.api import tokens
from extramile.web.today import current_user


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    company = Company.get()
    profile = ProfileForm(instance=user, prefix="profile")
    company_form = CompanyForm(instance=company, prefix="company") if user.is_admin_role else None
    if request.method == "POST":
        if "token-name" in request.POST or "revoke-token" in request.POST:
            return api_tokens(request, user)
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
        {
            "profile": profile,
            "company_form": company_form,
            "company": company,
            "api_tokens": ApiToken.objects.select_related("user") if user.is_admin_role else None,
        },
    )


def api_tokens(request: HttpRequest, user: User) -> HttpResponse:
    """Create a company API token (its secret shown on this one page only) or revoke one."""
    if not user.is_admin_role:
        raise PermissionDenied("Only an admin manages API tokens.")
    now = clock.now()
    if "revoke-token" in request.POST:
        token = get_object_or_404(ApiToken, pk=request.POST["revoke-token"])
        tokens.revoke(token, now)
        messages.success(request, f"The token “{token.name}” is revoked.")
        return redirect("settings")
    try:
        token, secret = tokens.issue(request.POST["token-name"], now, created_by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("settings")
    company = Company.get()
    return render(
        request,
        "web/settings.html",
        {
            "profile": ProfileForm(instance=user, prefix="profile"),
            "company_form": CompanyForm(instance=company, prefix="company"),
            "company": company,
            "api_tokens": ApiToken.objects.select_related("user"),
            "new_token": token,
            "new_secret": secret,
        },
    )

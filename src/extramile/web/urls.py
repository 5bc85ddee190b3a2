from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path

from extramile.offline import views as offline_views
from extramile.web import (
    articles,
    calls,
    cards,
    customers,
    exports,
    feeds,
    ideas,
    imports,
    inbox,
    insights,
    lockout,
    lunches,
    mailsync,
    playbook,
    preferences,
    replies,
    service,
    stories,
    team,
    timeline,
    today,
    unsubscribe,
)


def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("extramile/icons/favicon.ico"))


urlpatterns = [
    path("", today.today, name="today"),
    path("actions/<int:pk>/done/", today.done, name="action-done"),
    path("actions/<int:pk>/skip/", today.skip, name="action-skip"),
    path("actions/<int:pk>/snooze/", today.snooze, name="action-snooze"),
    path("actions/<int:pk>/undo/", today.undo, name="action-undo"),
    path("customers/", customers.customer_list, name="customers"),
    *imports.urlpatterns,
    *exports.urlpatterns,
    path("customers/new/", customers.customer_edit, name="customer-new"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", customers.customer_edit, name="customer-edit"),
    path("customers/<int:pk>/occasions/", customers.occasions, name="customer-occasions"),
    path("customers/<int:pk>/facts/", customers.add_fact, name="customer-add-fact"),
    path("customers/<int:pk>/promises/", customers.add_promise, name="customer-add-promise"),
    path("customers/<int:pk>/sales/", customers.add_sale, name="customer-add-sale"),
    path("promises/<int:pk>/met/", customers.promise_met, name="promise-met"),
    path("cards/", cards.card_list, name="cards"),
    path("cards/templates/", cards.templates, name="card-templates"),
    path("cards/design/", cards.card_design, name="card-design"),
    path("cards/design/<slug:design>.png", cards.design_preview, name="card-design-preview"),
    path("cards/mailed/", cards.mark_batch_mailed, name="cards-mailed"),
    path("cards/download/<slug:kind>/", cards.download, name="cards-download"),
    path("cards/<int:pk>/", cards.card_detail, name="card"),
    path("cards/<int:pk>/check/", cards.card_check, name="card-check"),
    path("thanks/<int:pk>/written/", cards.note_written, name="thanks-written"),
    path("thanks/<int:pk>/mailed/", cards.note_mailed, name="thanks-mailed"),
    path("thanks/<int:pk>/skip/", cards.note_skip, name="thanks-skip"),
    *service.urlpatterns,
    *inbox.urlpatterns,
    *calls.urlpatterns,
    *articles.urlpatterns,
    *lunches.urlpatterns,
    *ideas.urlpatterns,
    *unsubscribe.urlpatterns,
    *stories.urlpatterns,
    *playbook.urlpatterns,
    *team.urlpatterns,
    *insights.urlpatterns,
    *mailsync.urlpatterns,
    *timeline.urlpatterns,
    *replies.urlpatterns,
    path("settings/", preferences.settings_page, name="settings"),
    *lockout.urlpatterns,
    *feeds.urlpatterns,
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", offline_views.LogoutView.as_view(), name="logout"),
    # For the clients that ask /favicon.ico without reading the page's <link rel="icon">.
    path("favicon.ico", favicon, name="favicon"),
    path("sw.js", offline_views.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("offline/", offline_views.offline_page, name="offline"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

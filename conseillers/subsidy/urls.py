"""URLs of the subsidy pages, included from conseillers/urls.py under "subventions/" in the
"conseillers" namespace (no app_name of their own)."""

from django.urls import path

from conseillers.subsidy import renewal_views, views

urlpatterns = [
    path("", views.overview, name="subsidy-overview"),
    path("tranches/<int:pk>/", views.tranche_detail, name="subsidy-tranche"),
    path(
        "tranches/<int:pk>/rapport-activite.pdf",
        views.tranche_activity_report,
        name="subsidy-tranche-activity-report-pdf",
    ),
    path("tranches/<int:pk>/<slug:action>/", views.tranche_action, name="subsidy-tranche-action"),
    path("pieces/<int:pk>/", views.document, name="subsidy-document"),
    path("a-valider/", views.approvals, name="subsidy-approvals"),
    path("ordres/", views.orders, name="subsidy-orders"),
    path("ordres/export.csv", views.orders_csv, name="subsidy-orders-csv"),
    path("ordres/avis/", views.notices_import, name="subsidy-notices"),
    path("ordres/<int:structure_pk>/payer/", views.order_pay, name="subsidy-order-pay"),
    path("reversements/", views.recoveries, name="subsidy-recoveries"),
    path(
        "reversements/<int:pk>/<slug:action>/",
        views.recovery_action,
        name="subsidy-recovery-action",
    ),
    path("conventions/", views.conventions, name="subsidy-conventions"),
    path(
        "conventions/signer/<int:candidature_pk>/",
        views.convention_sign,
        name="subsidy-convention-sign",
    ),
    path("reconventionnement/", renewal_views.renewal_list, name="subsidy-renewals"),
    path("reconventionnement/<int:pk>/", renewal_views.renewal_detail, name="subsidy-renewal"),
    path(
        "reconventionnement/<int:pk>/demander/",
        renewal_views.renewal_initiate,
        name="subsidy-renewal-initiate",
    ),
    path(
        "reconventionnement/<int:pk>/<slug:action>/",
        renewal_views.renewal_action,
        name="subsidy-renewal-action",
    ),
    path("regimes/", views.regimes, name="subsidy-regimes"),
    path("regimes/<int:pk>/par-defaut/", views.regime_default, name="subsidy-regime-default"),
    path("budget/", views.budget, name="subsidy-budget"),
    path("budget/export.csv", views.budget_csv, name="subsidy-budget-csv"),
]

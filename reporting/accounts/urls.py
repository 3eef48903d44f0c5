"""Paths of written accounts, included in reporting's urls (namespace "reporting")."""

from django.urls import path

from . import views

account = "villkor/<str:region>/<int:year>/<str:code>/"

urlpatterns = [
    path(account, views.account, name="account"),
    path(account + "bedom/", views.assess, name="account_assess"),
    path(account + "bilagor/", views.attach, name="account_attach"),
    path(account + "bilagor/<int:pk>/", views.attachment, name="account_attachment"),
    path(account + "bilagor/<int:pk>/ta-bort/", views.detach, name="account_detach"),
]

"""/api/v1/open/… (included by rehab/api/urls.py): the open data."""

from django.urls import path

from . import api

urlpatterns = [
    path("open/statistics/<int:year>/", api.YearStatistics.as_view(), name="open-year"),
    path("open/history/", api.History.as_view(), name="open-history"),
    path("open/series/", api.Series.as_view(), name="open-series"),
    path("open/paid/", api.Paid.as_view(), name="open-paid"),
]

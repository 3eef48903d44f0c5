"""Statistics pages (the yearly national report, charts, exports), at /statistik/."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("tidsserie/", views.series, name="series"),
    path("tidsserie/<slug:table>.<fmt:fmt>", views.series_export, name="series_export"),
    path("utbetalt/", views.paid, name="paid"),
    path("utbetalt.<fmt:fmt>", views.paid_export, name="paid_export"),
    path("<int:year>/", views.year, name="year"),
    path("<int:year>/diagram/", views.year_charts, name="charts"),
    path("<int:year>/fler-matt/", views.measure_view, name="measures"),
    path(
        "<int:year>/fler-matt/<slug:table>.<fmt:fmt>",
        views.measures_export,
        name="measures_export",
    ),
    path("<int:year>/<slug:table>.<fmt:fmt>", views.year_export, name="year_export"),
]

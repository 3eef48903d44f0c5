"""Lists come in pages: `?page=2&page_size=100` (at most 500 a page)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_description = _("Sidans nummer (från 1).")
    page_size_query_description = _("Antal per sida (högst 500; 50 om inget anges).")

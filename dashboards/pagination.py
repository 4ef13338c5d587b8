"""The read API's pages (settings.REST_FRAMEWORK; its own module, as DRF imports it early)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """50 per page; `page_size` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

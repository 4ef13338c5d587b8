"""The read API's pages (settings.REST_FRAMEWORK; its own module, as DRF imports it early)."""

import functools

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 500


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (`count`), instead of counting them."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


class Pagination(PageNumberPagination):
    """50 per page; `page_size` from 1 to 500.

    `page` and `page_size`, when given, must be whole numbers in range: anything else, an empty
    value (`page=`) included, is answered 400 naming the parameter, like a malformed filter,
    rather than quietly read as absent. A page past the last one is answered 404.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        problems = {}
        for name, most in ((self.page_query_param, None), (self.page_size_query_param, MAX_PAGE_SIZE)):
            if name in request.query_params:
                value = request.query_params[name]
                if not value.isascii() or not value.isdigit() or int(value) < 1 or (most and int(value) > most):
                    limit = f"from 1 to {most}" if most else "from 1"
                    problems[name] = [f"A whole number {limit} is required."]
        if problems:
            raise ValidationError(problems)
        counted = getattr(view, "counted", None)  # a view that knows its number of rows says so
        if counted is not None:
            self.django_paginator_class = functools.partial(CountedPaginator, count=counted)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = MAX_PAGE_SIZE
        return parameters

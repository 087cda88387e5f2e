"""Pagination. Runs use a cursor over their ids (which sort newest first, see
`workflows.ids`), so page N costs the same as page 1 on a million runs; other
lists are small and use page numbers."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class RunCursorPagination(CursorPagination):
    ordering = "id"  # newest first: ids are (max ticks - now ticks)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class HistoryCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

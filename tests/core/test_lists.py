"""One list page: the export over every filtered item, else one page of them with the links' query string."""

from django import forms
from django.test import RequestFactory

from core.lists import Columns, filter_values, list_page


class _Filters(forms.Form):
    q = forms.CharField(required=False)
    n = forms.IntegerField(required=False)


EXPORT = Columns(sheet="Numbers", filename="numbers", header=["n"], row=lambda n: [n])


def _get(query: str):
    return RequestFactory().get(f"/list/?{query}")


def test_csv_holds_every_filtered_item_not_one_page_and_cells_never_run_as_formulas():
    response = list_page(_get("format=csv&page=2"), "components/pagination.html", ["=1+1", 2, 3], size=1, export=EXPORT)
    assert response["Content-Disposition"] == 'attachment; filename="numbers.csv"'
    assert response.content.decode().splitlines() == ["n", "'=1+1", "2", "3"]


def test_xlsx_is_a_workbook_download():
    response = list_page(_get("format=xlsx"), "components/pagination.html", [1], size=1, export=EXPORT)
    assert response["Content-Disposition"] == 'attachment; filename="numbers.xlsx"'
    assert response.content[:2] == b"PK"


def test_a_format_the_list_does_not_write_renders_the_page():
    request = _get("format=xlsx&q=a")
    response = list_page(
        request, "components/pagination.html", [1, 2], size=1, export={"csv": lambda items: EXPORT("csv", items)}
    )
    assert response["Content-Type"].startswith("text/html")
    assert 'href="?format=xlsx&amp;q=a&amp;page=2"' in response.content.decode()


def test_the_page_links_keep_the_filters_and_drop_the_page_number():
    response = list_page(_get("q=x&page=2"), "components/pagination.html", list(range(5)), size=2)
    html = response.content.decode()
    assert "Page 2 of 3" in html
    assert 'href="?q=x&amp;page=1"' in html and 'href="?q=x&amp;page=3"' in html


def test_context_worked_out_from_the_page_sees_only_its_rows():
    seen: list[int] = []

    def context(page):
        seen.extend(page)
        return {}

    list_page(_get("page=2"), "components/pagination.html", list(range(5)), size=2, context=context)
    assert seen == [2, 3]


def test_invalid_filters_give_the_whole_list():
    assert filter_values(_Filters({"n": "not a number"})) == {}
    assert filter_values(_Filters({"q": "x", "n": "3"})) == {"q": "x", "n": 3}

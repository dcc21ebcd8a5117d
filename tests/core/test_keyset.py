"""core.keyset: pages by the values of the row they start after, forward and back, whatever the
ordering's directions; a token it did not write is refused, never a server error."""

import base64
import json

import pytest

from core import keyset
from core.models import Structure
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def walk(queryset, size: int) -> list[list[int]]:
    pages = [keyset.paginate(queryset, size=size, cursor=None)]
    while pages[-1].next_cursor:
        pages.append(keyset.paginate(queryset, size=size, cursor=pages[-1].next_cursor))
    return [[row.pk for row in page] for page in pages]


@pytest.mark.parametrize(
    "ordering", [("name",), ("-name",), ("name", "-pk"), ("-departement_id", "name")]
)
def test_the_pages_hold_every_row_once_in_order_with_ties(ordering):
    for index in range(11):
        StructureFactory(name=f"Structure {index % 3}", departement_id=["37", "41"][index % 2])
    queryset = Structure.objects.order_by(*ordering)

    pages = walk(queryset, 4)

    expected = list(queryset.order_by(*keyset.ordering_of(queryset)).values_list("pk", flat=True))
    assert [pk for page in pages for pk in page] == expected
    assert [len(page) for page in pages] == [4, 4, 3]


def test_the_previous_cursor_comes_back_page_by_page():
    StructureFactory.create_batch(9)
    queryset = Structure.objects.order_by("name")
    first = keyset.paginate(queryset, size=4, cursor=None)
    second = keyset.paginate(queryset, size=4, cursor=first.next_cursor)
    third = keyset.paginate(queryset, size=4, cursor=second.next_cursor)

    back = keyset.paginate(queryset, size=4, cursor=third.previous_cursor)
    front = keyset.paginate(queryset, size=4, cursor=back.previous_cursor)

    assert list(back) == list(second) and list(front) == list(first)
    assert not first.has_previous and not third.has_next
    assert front.previous_cursor is None


def forge(direction: str, values: list) -> str:
    payload = json.dumps([direction, values]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(
    ("direction", "values"),
    [
        ("n", ["x", "not a number"]),
        ("n", ["x", 2**70]),
        ("n", ["x\x00", 1]),
        ("n", ["x"]),
        ("n", [["nested"], 1]),
        ("?", ["x", 1]),
    ],
)
def test_a_forged_cursor_is_refused(direction, values):
    StructureFactory()
    with pytest.raises(keyset.InvalidCursor):
        page = keyset.paginate(
            Structure.objects.order_by("name"), size=2, cursor=forge(direction, values)
        )
        list(page)


def test_garbage_is_refused():
    with pytest.raises(keyset.InvalidCursor):
        keyset.paginate(Structure.objects.order_by("name"), size=2, cursor="%%%")

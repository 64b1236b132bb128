"""The search over other SDKs' canonical forms: ordered, labelled and bounded."""

from __future__ import annotations

from vmsspec.signing._variants import (
    MAX_FORMS_TRIED,
    combined,
    header_blocks,
    path_forms,
    query_forms,
)


def test_the_reference_form_comes_first_then_single_departures() -> None:
    dims = [[("", "q0"), ("Q", "q1")], [("", "p0"), ("P", "p1")], [("", "b0"), ("B", "b1")]]
    labels = [label for label, _ in combined(*dims)]
    assert labels[0] == ""
    assert sorted(labels[1:4]) == ["B", "P", "Q"]
    assert labels[-1] == "Q; P; B"


def test_the_search_is_bounded_however_many_forms_a_request_offers() -> None:
    dims = [[(f"d{n}-{i}" if i else "", f"t{i}") for i in range(6)] for n in range(4)]
    assert len(list(combined(*dims))) == MAX_FORMS_TRIED < 6 ** 4


def test_identical_forms_are_tried_once() -> None:
    # Nothing to fold, no repeated key, a plain path: only the reference remains,
    # apart from the encoded order (which differs only when escaping reorders keys).
    pairs = [("Action", "CreateTask"), ("Version", "2022-01-01")]
    assert len(query_forms(pairs, "Action=CreateTask&Version=2022-01-01")) == 1
    assert path_forms("/") == [("", "/")]
    index = {"host": "h", "x-date": "20250527T114634Z"}
    block = "host:h\nx-date:20250527T114634Z\n"
    assert header_blocks(("host", "x-date"), index, block) == [("", block)]


def test_header_forms_are_labelled_with_the_sdks_that_produce_them() -> None:
    index = {"host": "h:443", "x-note": " a  b "}
    first = "host:h\nx-note: a  b \n"
    forms = dict((text, label) for label, text in header_blocks(("host", "x-note"), index, first))
    assert forms["host:h\nx-note:a  b\n"] == "header values trimmed (Go, Java SDKs)"
    assert forms["host:h\nx-note:a b\n"] == "header values whitespace-collapsed (Node.js, PHP SDKs)"
    assert forms["host:h:443\nx-note: a  b \n"] == "Host with its default port"

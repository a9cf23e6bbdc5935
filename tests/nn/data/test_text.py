"""nn.data.text: makemore's names shipped in the package, and microgpt's character tokenizer."""

from __future__ import annotations

import hashlib
import importlib.resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn.data import CharTokenizer, load_names

NAMES_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"


def test_load_names_reads_the_32033_names_shipped_in_the_package() -> None:
    names = load_names()
    assert len(names) == 32033
    assert names[:8] == ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia"]
    assert names[-1] == "zzyzx"
    assert all(isinstance(n, str) and n.isalpha() and n.islower() and n == n.strip() for n in names)
    assert min(map(len, names)) == 2 and max(map(len, names)) == 15
    data = importlib.resources.files("nn.data").joinpath("names.txt").read_bytes()
    assert len(data) == 228145 and hashlib.sha256(data).hexdigest() == NAMES_SHA256


def test_load_names_gives_a_new_list_each_call_and_says_where_it_comes_from() -> None:
    first = load_names()
    first.clear()
    assert len(load_names()) == 32033
    doc = load_names.__doc__ or ""
    assert "makemore" in doc and "MIT" in doc and "Social Security" in doc
    assert nn.data.load_names is load_names and nn.data.CharTokenizer is CharTokenizer


def test_tokenizer_on_names_is_microgpts() -> None:
    tok = CharTokenizer(load_names())
    assert tok.chars == list("abcdefghijklmnopqrstuvwxyz")
    assert (tok.vocab_size, tok.bos, len(tok)) == (27, 26, 27)
    assert tok.encode("emma") == [26, 4, 12, 12, 0, 26]
    assert tok.decode([26, 4, 12, 12, 0, 26]) == "emma" == tok.decode([4, 12, 12, 0])
    assert repr(tok) == "CharTokenizer(vocab_size=27, bos=26, chars='abcdefghijklmnopqrstuvwxyz')"


def test_ids_are_the_sorted_characters_then_bos() -> None:
    tok = CharTokenizer(["ba", "", "c a"])
    assert tok.chars == [" ", "a", "b", "c"] and tok.bos == 4 and tok.vocab_size == 5
    assert tok.encode("a b") == [4, 1, 0, 2, 4]
    assert CharTokenizer(iter(["xy", "z"])).chars == ["x", "y", "z"]  # any iterable of str, read once


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_round_trips(docs: list[str]) -> None:
    tok = CharTokenizer(docs)
    for doc in docs:
        ids = tok.encode(doc)
        assert ids[0] == ids[-1] == tok.bos and len(ids) == len(doc) + 2
        assert all(0 <= i < tok.bos for i in ids[1:-1])
        assert tok.decode(ids) == doc


def test_unknown_character_names_the_character_and_the_doc() -> None:
    tok = CharTokenizer(["abc"])
    message = r"character 'Z' of doc 'aZb' is not in the vocabulary \(3 characters: 'abc'\)"
    with pytest.raises(ValueError, match=message):
        tok.encode("aZb")


def test_encode_refuses_an_empty_doc_and_a_non_str() -> None:
    tok = CharTokenizer(["abc"])
    with pytest.raises(ValueError, match=r"CharTokenizer\.encode: the doc is empty"):
        tok.encode("")
    with pytest.raises(TypeError, match=r"CharTokenizer\.encode expects a str, got list \['a'\]"):
        tok.encode(["a"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expects a str, got bytes"):
        tok.encode(b"ab")  # type: ignore[arg-type]


def test_decode_refuses_what_is_not_a_token_id() -> None:
    tok = CharTokenizer(["abc"])
    with pytest.raises(ValueError, match=r"ids\[1\] = 4 is not a token id; expected 0 \.\. 3"):
        tok.decode([0, 4])
    with pytest.raises(ValueError, match=r"ids\[0\] = -1 is not a token id"):
        tok.decode([-1])
    with pytest.raises(TypeError, match=r"ids\[0\] must be an int, got float 1\.0"):
        tok.decode([1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="expects a list of token ids"):
        tok.decode("abc")  # type: ignore[arg-type]


def test_constructor_errors() -> None:
    with pytest.raises(TypeError, match=r"got one str 'emma'; wrap it in a list"):
        CharTokenizer("emma")
    with pytest.raises(TypeError, match=r"docs\[1\] must be a str, got int 3"):
        CharTokenizer(["a", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="expects a list of documents"):
        CharTokenizer(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no characters"):
        CharTokenizer(["", ""])
    with pytest.raises(ValueError, match="no characters"):
        CharTokenizer([])

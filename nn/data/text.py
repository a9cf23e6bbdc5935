"""Text for language models: makemore's 32,033 names and a character-level tokenizer.

>>> from nn.data import CharTokenizer, load_names
>>> names = load_names()
>>> len(names), names[:3]
(32033, ['emma', 'olivia', 'ava'])
>>> tok = CharTokenizer(names)
>>> tok
CharTokenizer(vocab_size=27, bos=26, chars='abcdefghijklmnopqrstuvwxyz')
>>> tok.encode("emma")
[26, 4, 12, 12, 0, 26]
>>> tok.decode([26, 4, 12, 12, 0, 26])
'emma'

This is what microgpt does at its start: a document is a name, a token is a
character, and one extra token (BOS, "beginning of sequence") both starts a
name and ends it, so a model that predicts BOS has finished the name.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable, Sequence

from autograd.checks import check_int, cut, describe

__all__ = ["load_names", "CharTokenizer"]

_NAMES_FILE = "names.txt"


def load_names() -> list[str]:
    """The 32,033 names of makemore's ``names.txt``, one str each, in the file's order (``emma``, ``olivia``, ...).

    The file ships inside this package (``nn/data/names.txt``, 228,145 bytes,
    sha256 ``0a30b555...a8cc4d``) and is read with `importlib.resources`, never
    downloaded.  It comes from Andrej Karpathy's makemore
    (https://github.com/karpathy/makemore, MIT license), which took the most
    common names of the US Social Security Administration's baby-name data
    (public data, https://www.ssa.gov/oact/babynames/).  Names are lowercase
    ``a``-``z``, 2 to 15 characters long.

    A new list on every call: shuffle or split it freely (see
    `nn.train_test_split`, which splits a list without labels too).
    """
    text = importlib.resources.files("nn.data").joinpath(_NAMES_FILE).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class CharTokenizer:
    """Characters to token ids and back, with one BOS token: microgpt's tokenizer.

    ``CharTokenizer(docs)`` gives each distinct character of ``docs`` an id in
    sorted order (``0 .. n-1``) and adds the BOS ("beginning of sequence") id
    ``n``, which `encode` puts at both ends of a document: the model learns
    to start a document after BOS and to end it by predicting BOS.

    Args:
        docs: the documents (an iterable of str, such as `load_names()`);
            only their characters matter.

    Attributes:
        chars: the sorted distinct characters; ``chars[i]`` has id ``i``.
        bos: the BOS id, ``len(chars)``.
        vocab_size: ``len(chars) + 1`` (the characters and BOS), what
            `nn.GPT` takes as ``vocab_size``.

    Raises:
        TypeError: ``docs`` is a str (pass a list of documents) or holds
            something that is not a str.
        ValueError: ``docs`` has no characters at all.
    """

    chars: list[str]
    bos: int
    vocab_size: int

    def __init__(self, docs: Iterable[str]) -> None:
        if isinstance(docs, str):
            raise TypeError(
                f"CharTokenizer expects a list of documents (str), got one str {cut(repr(docs))}; "
                "wrap it in a list: CharTokenizer([text])"
            )
        if not isinstance(docs, Iterable):
            raise TypeError(f"CharTokenizer expects a list of documents (str), got {describe(docs)}")
        seen: set[str] = set()
        for i, doc in enumerate(docs):
            if not isinstance(doc, str):
                raise TypeError(f"CharTokenizer: docs[{i}] must be a str, got {describe(doc)}")
            seen.update(doc)
        if not seen:
            raise ValueError("CharTokenizer: the docs have no characters (empty list or only empty strings)")
        self.chars = sorted(seen)
        self.bos = len(self.chars)
        self.vocab_size = self.bos + 1
        self._ids = {ch: i for i, ch in enumerate(self.chars)}

    def encode(self, doc: str) -> list[int]:
        """``[bos, id(doc[0]), ..., id(doc[-1]), bos]``: a document as the token ids a model reads.

        Raises:
            TypeError: ``doc`` is not a str.
            ValueError: ``doc`` is empty, or has a character the tokenizer
                does not know (the message names it and the document).
        """
        if not isinstance(doc, str):
            raise TypeError(f"CharTokenizer.encode expects a str, got {describe(doc)}")
        if not doc:
            raise ValueError(
                "CharTokenizer.encode: the doc is empty (''); a doc needs at least one character "
                "(an empty one would only teach the model to stop at once)"
            )
        ids = self._ids
        tokens = [self.bos]
        for ch in doc:
            token = ids.get(ch)
            if token is None:
                raise ValueError(
                    f"CharTokenizer.encode: character {ch!r} of doc {cut(repr(doc))} is not in the vocabulary "
                    f"({self._shown_chars()}); build the tokenizer from docs that contain it"
                )
            tokens.append(token)
        tokens.append(self.bos)
        return tokens

    def decode(self, ids: Sequence[int]) -> str:
        """The text of token ids: each character id becomes its character, BOS ids are skipped.

        ``decode(encode(doc)) == doc`` for every doc `encode` accepts.

        Raises:
            TypeError: ``ids`` is not a sequence of ints.
            ValueError: an id is outside ``0 .. vocab_size - 1``.
        """
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
            raise TypeError(f"CharTokenizer.decode expects a list of token ids (ints), got {describe(ids)}")
        chars, bos = self.chars, self.bos
        out = []
        for i, token in enumerate(ids):
            index = check_int(token, f"CharTokenizer.decode: ids[{i}]")
            if not 0 <= index <= bos:
                raise ValueError(
                    f"CharTokenizer.decode: ids[{i}] = {index} is not a token id; "
                    f"expected 0 .. {bos} (vocab_size {self.vocab_size}, BOS is {bos})"
                )
            if index != bos:
                out.append(chars[index])
        return "".join(out)

    def __len__(self) -> int:
        """The vocabulary size (characters and BOS)."""
        return self.vocab_size

    def _shown_chars(self) -> str:
        return f"{len(self.chars)} characters: {cut(repr(''.join(self.chars)), 80)}"

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size}, bos={self.bos}, chars={cut(repr(''.join(self.chars)))})"

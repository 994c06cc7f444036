"""What the streaming helpers need of their files: a read, or a write, and nothing else.

Upload wrappers, block sinks and test doubles provide just that, without being whole ``BinaryIO`` files.
"""

from typing import Protocol


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...

# SPDX-License-Identifier: Apache-2.0
"""Which of torchrun's processes this one is, from the environment torchrun sets (RANK, LOCAL_RANK, WORLD_SIZE,
LOCAL_WORLD_SIZE), without importing torch: the command line checks options against it before anything heavy
loads. Without torchrun (WORLD_SIZE unset or 1) it is World(), the single process. distributed.py does the rest.
"""

import os
from dataclasses import dataclass

from incept_convert.errors import ConvertError


@dataclass(frozen=True)
class World:
    """This process's place among torchrun's processes; World() is the single process."""
    rank: int = 0
    local_rank: int = 0
    size: int = 1
    local_size: int = 1

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def world_from_env(env=os.environ) -> World:
    """The World that torchrun's environment describes; cheap (no torch import), for the command line."""
    def number(key: str, default: str) -> int:
        try:
            return int(env.get(key, default))
        except ValueError:
            raise ConvertError(f"the environment variable {key}={env.get(key)!r} is not a number; "
                               "start distributed runs with torchrun") from None
    size = number("WORLD_SIZE", "1")
    if size <= 1:
        return World()
    world = World(rank=number("RANK", "0"), local_rank=number("LOCAL_RANK", "0"), size=size,
                  local_size=number("LOCAL_WORLD_SIZE", "1"))
    if not 0 <= world.rank < world.size:
        raise ConvertError(f"RANK={world.rank} is outside WORLD_SIZE={world.size}; "
                           "start distributed runs with torchrun")
    return world


class RankError(ConvertError):
    """A failure of one process only (its device, say): every process that meets one reports it."""

    def __init__(self, world: World, message: str):
        super().__init__(f"rank {world.rank}: {message}")

"""`python -m kommunalmonitor.pipeline` is `komo`."""

from .cli import main

main()

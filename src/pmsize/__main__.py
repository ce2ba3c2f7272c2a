"""`python -m pmsize`."""

from pmsize.cli import main

main()

#!/usr/bin/env python3
"""Django's manage.py, for habit; ``varta`` is the same thing with friendlier command names."""

from varta.cli import main

if __name__ == "__main__":
    main()

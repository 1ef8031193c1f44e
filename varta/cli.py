"""The ``varta`` command: Django's management commands under friendlier names.

    varta quickstart | serve | createadmin | demo-data | audit verify | backup | restore | genkey | rotate-keys |
          anonymise-expired | …

``varta genkey`` works without settings (it prints a new data-encryption key); everything else runs through
Django, so ``varta help`` lists every command.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"demo-data": "demo_data", "rotate-keys": "rotate_keys", "permissions-doc": "permissions_doc",
           "load-geo": "load_geo", "anonymise-expired": "anonymise_expired"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "genkey":
        from varta.core.keys import new_data_key

        print(new_data_key())
        return
    if args and args[0] == "quickstart":
        # The local demo: plain http on 127.0.0.1, two-factor off, a banner on every page.
        os.environ.setdefault("VARTA_HTTPS", "false")
        os.environ.setdefault("VARTA_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "varta.settings")
    if args:
        args[0] = ALIASES.get(args[0], args[0])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["varta", *args])


if __name__ == "__main__":
    main()

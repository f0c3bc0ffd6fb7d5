"""Import raw messages (.eml files, or one message on stdin) into a mailbox.

    manage.py inbound_import --mailbox support path/to/*.eml
    ... | manage.py inbound_import --mailbox support -      # e.g. piped by the MTA

Stored and processed exactly like fetched mail (duplicates are stored once).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inbound import services
from inbound.models import Mailbox


class Command(BaseCommand):
    help = "Import raw RFC 822 messages into a mailbox and process them."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", required=True, help="the mailbox's name")
        parser.add_argument("paths", nargs="+", help="files, or - for standard input")

    def handle(self, *args, mailbox, paths, **options):
        try:
            box = Mailbox.objects.get(name=mailbox)
        except Mailbox.DoesNotExist as exc:
            raise CommandError(f"no mailbox named {mailbox!r}") from exc
        for path in paths:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            row, created = services.inbound_store(box, raw)
            if created:
                row = services.inbound_process(row.pk) or row
            state = row.get_state_display() if created else "duplicate"
            self.stdout.write(f"{path}: {state} {row.reason}".rstrip())

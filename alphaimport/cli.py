"""The command line: parses options, calls the library, prints results. Exit 0 / 1 / 2 (DESIGN.md)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from alphaimport.errors import AlphaImportError

EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2
Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every fatal problem is a one-line message and exit status 2."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed a one-line usage error
        return EXIT_FAILED if exc.code else EXIT_OK
    try:
        command: Command = args.run
        return command(args)
    except AlphaImportError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Exception as exc:  # a bug, not bad input: still no traceback unless asked for
        if os.environ.get("ALPHAIMPORT_DEBUG"):
            raise
        return _fail(f"internal error ({type(exc).__name__}: {exc}); set ALPHAIMPORT_DEBUG=1 for details")


def _fail(message: str) -> int:
    print(f"alphaimport: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alphaimport",
        description="Turn messy exports into correct Collectmaxx import files.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fields = commands.add_parser("fields", help="list every field, and what a profile requires")
    _profile_options(fields)
    fields.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    fields.set_defaults(run=_fields)

    schemas = commands.add_parser("schemas", help="write annabel.xsd and rowinput.schema.json")
    schemas.add_argument("--out-dir", type=Path, default=Path("schemas"))
    schemas.add_argument("--check", action="store_true", help="exit 1 when a file differs from the registry")
    schemas.set_defaults(run=_schemas)

    codes = commands.add_parser("codes", help="list every issue code")
    codes.add_argument("--format", choices=("table", "markdown"), default="table")
    codes.set_defaults(run=_codes)
    return parser


def _profile_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--media", default="", help="comma-separated: voice,sms,mail")
    parser.add_argument("--services", default="", help="comma-separated: paylink,emandate,enrichment")


def _fields(args: argparse.Namespace) -> int:
    from alphaimport import fieldtable
    from alphaimport.profile import Profile

    profile = Profile(args.media, args.services) if (args.media or args.services) else None
    sys.stdout.write(fieldtable.render(fieldtable.rows(profile), args.format))
    return EXIT_OK


def _schemas(args: argparse.Namespace) -> int:
    from alphaimport import schemagen

    if args.check:
        stale = [name for name, content in schemagen.generate().items()
                 if not (args.out_dir / name).is_file()
                 or (args.out_dir / name).read_text(encoding="utf-8") != content]
        for name in stale:
            print(f"{args.out_dir / name} is out of date: run `alphaimport schemas`", file=sys.stderr)
        return EXIT_REJECTED if stale else EXIT_OK
    for path in schemagen.write_all(args.out_dir):
        print(path)
    return EXIT_OK


def _codes(args: argparse.Namespace) -> int:
    from alphaimport.issues import CODES, codes_markdown

    if args.format == "markdown":
        sys.stdout.write(codes_markdown())
    else:
        for c in CODES.values():
            print(f"{c.code:<30} {c.level:<8} {c.meaning}")
    return EXIT_OK

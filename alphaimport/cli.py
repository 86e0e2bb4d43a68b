"""The command line: parses options, calls the library, prints results. Exit 0 / 1 / 2 (DESIGN.md)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence

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


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad option said in one line (its usage block is what --help is for)."""

    def error(self, message: str) -> NoReturn:
        print(f"alphaimport: error: {' '.join(message.split())}; see `{self.prog} --help`", file=sys.stderr)
        self.exit(EXIT_FAILED)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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

    validate = commands.add_parser("validate", help="check an input file: the verdict on every record")
    _input_options(validate)
    validate.set_defaults(run=_validate)

    build = commands.add_parser("build", help="write the delivery file and the rejects file")
    _input_options(build)
    build.add_argument("--client", required=True, help="client number, part of the file name (1001)")
    build.add_argument("--format", choices=("csv", "xml", "xlsx", "ods"), default="csv")
    build.add_argument("--out-dir", type=Path, default=Path("."), help="output folder (default: here)")
    build.add_argument("--date", help="the day in the file name, YYYYMMDD (default: today)")
    build.add_argument("--strict", action="store_true", help="write nothing when any record is rejected")
    build.set_defaults(run=_build)

    codes = commands.add_parser("codes", help="list every issue code")
    codes.add_argument("--format", choices=("table", "markdown"), default="table")
    codes.set_defaults(run=_codes)
    return parser


def _profile_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--media", default="", help="comma-separated: voice,sms,mail")
    parser.add_argument("--services", default="", help="comma-separated: paylink,emandate,enrichment")


def _input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="CSV, XLSX/XLSM, XLS, ODS, XML or JSON file")
    _profile_options(parser)
    parser.add_argument("--mapping", type=Path, help="mapping file (YAML): columns, constants, units")
    parser.add_argument("--sheet", help="sheet name (default: the first sheet)")
    parser.add_argument("--encoding", help="CSV encoding (default: detect UTF-8 / cp1252)")
    parser.add_argument("--delimiter", help="CSV delimiter (default: detect ; , tab |)")
    parser.add_argument("--ledger", type=Path, help="delivery ledger (default: $ALPHAIMPORT_LEDGER or "
                        "~/.local/share/alphaimport/ledger.sqlite3)")
    parser.add_argument("--report", type=Path, help="write every issue to FILE.json, .csv or .html")
    parser.add_argument("--phone-countries", help="only phone numbers of these countries, e.g. NL,BE")
    parser.add_argument("--redact", action="store_true",
                        help="mask personal values (names, phones, e-mails, birthdays, addresses) in the report")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--workers", type=_workers, default=1,
                        help="processes that check records (default 1; each more holds its own working set, "
                        "~150 MB); the output does not depend on it")


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes from 1 to 64")
    return int(text)


def _lean_memory_pool() -> None:
    """Arrow's jemalloc allocator for this process, unless ARROW_DEFAULT_MEMORY_POOL chooses one: a build of
    1,000,000 records peaks ~45 MB lower than with mimalloc (pyarrow's default), as fast (README, Decisions).
    Kept where pyarrow is built without jemalloc."""
    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:
        pass


def _validate(args: argparse.Namespace) -> int:
    return _run(args, building=False)


def _build(args: argparse.Namespace) -> int:
    return _run(args, building=True)


def _run(args: argparse.Namespace, building: bool) -> int:
    from alphaimport import pipeline, report
    from alphaimport.profile import Profile

    profile = Profile(args.media, args.services)
    if args.report:  # before anything is read or written: never over the input, a delivery, a non-report
        from alphaimport.ledger import default_path

        report.check_report_path(args.report, {
            "the input file": Path(args.input), "the mapping file": args.mapping,
            "the ledger": args.ledger or default_path(), "the output folder": args.out_dir if building else None})
    delimiter = "\t" if args.delimiter in ("\\t", "tab", "TAB") else args.delimiter
    job = pipeline.Job(
        source=Path(args.input), profile=profile, mapping=args.mapping, sheet=args.sheet,
        encoding=args.encoding, delimiter=delimiter, ledger=args.ledger,
        client=args.client if building else None, out_dir=args.out_dir if building else None,
        format=args.format if building else "csv", day=args.date if building else None,
        strict=building and args.strict,
        phone_countries=_phone_countries(args.phone_countries),
        workers=args.workers,
    )
    _lean_memory_pool()
    with _progress(args.quiet) as progress:
        outcome = pipeline.run(job, progress, keep_issues=args.report is not None, redact=args.redact)
    summary = outcome.tally.summary()
    status = EXIT_REJECTED if summary["rejected"] else EXIT_OK
    if args.report:  # before any printing: a closed stdout must not cost the report
        try:  # frame by frame from the tally's spool on disk, never all issues in memory
            report.write_report(args.report, summary, outcome.tally.kept)
        finally:
            outcome.tally.close()
    try:
        _print_outcome(args, building, profile, outcome, summary)
    except BrokenPipeError:  # the reader of our output went away (| head): the run itself is done
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status


def _print_outcome(args: argparse.Namespace, building: bool, profile: object, outcome: Any,
                   summary: dict[str, Any]) -> None:
    from alphaimport import report

    print(f"{'build' if building else 'validate'} {args.input} (profile {profile})")
    sys.stdout.write(report.render_summary(summary, outcome.tally.first_rejections))
    if args.report:
        print(f"report   {args.report}")
    if outcome.strict_refused:
        print("nothing written: --strict and some records were rejected")
    for path in outcome.written:
        print(f"wrote    {path}")
    if building and not outcome.written and not outcome.strict_refused:
        print("nothing written: no records")
    sys.stdout.flush()


def _phone_countries(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    import phonenumbers

    from alphaimport.errors import OptionError

    countries = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    if not countries:  # "," or " ": an empty allow-list would allow every country
        raise OptionError(f"--phone-countries {text!r} names no country (ISO 3166-1 codes, e.g. NL,BE)")
    unknown = [c for c in countries if c not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise OptionError(f"--phone-countries: {', '.join(unknown)} is not a country code (ISO 3166-1, e.g. NL,BE)")
    return countries


class _progress:
    """A progress bar on stderr for a terminal; nothing when quiet or not a terminal."""

    def __init__(self, quiet: bool) -> None:
        self._bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(unit=" records", file=sys.stderr, leave=False, mininterval=0.5)

    def __enter__(self) -> Callable[[int], None] | None:
        return self._bar.update if self._bar is not None else None

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


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

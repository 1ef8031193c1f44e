"""Reading historical call logs: the upload streamed to disk, the file type told by content, CSV and XLSX rows
streamed one at a time (docs/hotline-import.md).

Nothing here holds a whole file in memory: the upload goes in chunks to ``VAR_DIR/imports/``; CSV is decoded line
by line (so a broken encoding is reported with its line number); XLSX is read with openpyxl's read-only mode, row
by row (only its table of shared strings is loaded whole, as openpyxl does).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
import uuid
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import openpyxl  # type: ignore[import-untyped]
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest
from django.utils.translation import gettext as _

CSV = "csv"
XLSX = "xlsx"
SAMPLE_BYTES = 1024 * 1024  # the part of a CSV file read to choose its encoding and delimiter
MAX_LINE_BYTES = 1024 * 1024  # a longer "line" means the file is not a call log
UPLOAD_FIELD = "file"

# Files people upload by mistake, told apart so the message can say what to do.
_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls / .doc (OLE2)
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b", b"BM", b"Rar!", b"7z\xbc\xaf")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # never in a text file of records
_DELIMITERS = (",", ";", "\t", "|")


class ImportFileError(Exception):
    """The file as a whole cannot be imported. The message is translated and names the line when it can."""


def not_csv_or_xlsx() -> ImportFileError:
    return ImportFileError(_("This is not a CSV or XLSX file. Save the log as CSV (UTF-8) or XLSX and upload it."))


@dataclass(frozen=True)
class FileFormat:
    kind: str  # CSV or XLSX
    encoding: str = ""  # CSV: utf-8, utf-8-sig or cp1251
    delimiter: str = ""  # CSV


def import_dir() -> Path:
    """Where uploads wait for their import (owner-only, like the rest of VAR_DIR)."""
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


# --- The upload ----------------------------------------------------------------------------------------------


class StoredUpload(UploadedFile):
    """An uploaded file already written under ``import_dir()``: its name there, its size and SHA-256."""

    def __init__(self, *, path: Path, name: str, size: int, sha256: str) -> None:
        super().__init__(file=None, name=name, size=size)
        self.path = path
        self.sha256 = sha256

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class ImportUploadHandler(FileUploadHandler):
    """Streams the one uploaded file to ``import_dir()`` in chunks, hashing it on the way.

    It stops at ``settings.IMPORT_MAX_BYTES`` even when the body has no Content-Length for the body-size middleware
    to check (a chunked upload); ``too_large`` then tells the view why there is no file.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.too_large = False
        self.file: IO[bytes] | None = None
        self.path: Path | None = None
        self.size = 0
        self.digest = hashlib.sha256()

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != UPLOAD_FIELD or self.file is not None:
            raise SkipFile
        self.path = import_dir() / f"{uuid.uuid4().hex}.upload"
        self.file = os.fdopen(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.file is not None
        self.size += len(raw_data)
        if self.size > settings.IMPORT_MAX_BYTES:
            self.too_large = True
            self._discard()
            raise StopUpload(connection_reset=False)  # read and drop the rest, then answer with a message
        self.digest.update(raw_data)
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self.file is None or self.path is None:
            return None
        self.file.close()
        return StoredUpload(path=self.path, name=self.file_name or "", size=self.size, sha256=self.digest.hexdigest())

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)


# --- Telling the type and the encoding ------------------------------------------------------------------------


def sniff(path: Path) -> FileFormat:
    """The file's format, from its content (never its name); ImportFileError for anything else."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        raise ImportFileError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            raise not_csv_or_xlsx() from None
        if "xl/workbook.xml" not in names:
            raise not_csv_or_xlsx()
        return FileFormat(kind=XLSX)
    if head.startswith(_OLD_EXCEL):
        raise ImportFileError(_("This is an old Excel (.xls) file. Open it in Excel or LibreOffice, save it as XLSX "
                                "and upload that."))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(_("This is UTF-16 text (Excel's “Unicode text”). Save the log as “CSV UTF-8” or XLSX "
                                "and upload that."))
    if head.startswith(_BINARY_MAGIC) or _CONTROL_BYTES.search(head):
        raise not_csv_or_xlsx()
    encoding, first_line = _sniff_encoding(path)
    return FileFormat(kind=CSV, encoding=encoding, delimiter=_sniff_delimiter(first_line))


def _sniff_encoding(path: Path) -> tuple[str, str]:
    """UTF-8 (with or without BOM) or Windows-1251, told line by line over the first megabyte.

    A Windows-1251 line with Cyrillic letters is never valid UTF-8, so each non-ASCII line says which it is; a file
    whose lines disagree mixes encodings and is refused with the first line that differs.
    """
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        complete = len(sample) < SAMPLE_BYTES
    bom = sample.startswith(codecs.BOM_UTF8)
    lines = sample.removeprefix(codecs.BOM_UTF8).split(b"\n")
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut in the middle of a character
    if _CONTROL_BYTES.search(sample):
        raise not_csv_or_xlsx()
    first_kind: bool | None = None
    first_number = 0
    for number, raw in enumerate(lines, start=1):
        if raw.isascii():
            continue
        kind = _is_utf8(raw)
        if first_kind is None:
            first_kind, first_number = kind, number
        elif kind != first_kind:
            raise mixed_encodings(number, first_number)
    if first_kind is False and bom:
        raise mixed_encodings(first_number, 1)
    encoding = "cp1251" if first_kind is False else ("utf-8-sig" if bom else "utf-8")
    first_line = next((raw for raw in lines if raw.strip()), b"")
    return encoding, _decode(first_line, encoding, 1)


def mixed_encodings(line: int, other: int | None = None) -> ImportFileError:
    if other is None:
        message = _("Line %(line)s is in a different text encoding from the lines before it: the file mixes UTF-8 "
                    "and Windows-1251. Open it in a spreadsheet, save it again as “CSV UTF-8” and upload that.")
    else:
        message = _("Line %(line)s is in a different text encoding from line %(other)s: the file mixes UTF-8 and "
                    "Windows-1251. Open it in a spreadsheet, save it again as “CSV UTF-8” and upload that.")
    return ImportFileError(message % {"line": line, "other": other})


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode(raw: bytes, encoding: str, line: int) -> str:
    try:
        return raw.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except UnicodeDecodeError:
        name = _("Windows-1251") if encoding == "cp1251" else "UTF-8"
        raise ImportFileError(
            _("Line %(line)s is not valid %(encoding)s text: the file is damaged or mixes encodings. Open it in a "
              "spreadsheet, save it again as “CSV UTF-8” and upload that.") % {"line": line, "encoding": name}
        ) from None


def _sniff_delimiter(header: str) -> str:
    """The separator that occurs most in the header line (Excel in Ukrainian settings writes ";")."""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- Reading rows --------------------------------------------------------------------------------------------


Cells = list[Any]  # str for CSV; str, int, float, datetime, date, time, timedelta or None for XLSX


class Table(ABC):
    """The rows of an opened file: the header (first non-blank row), then (row number, cells) for every non-blank
    row after it. Row numbers are what the person sees: the line in a text editor, the row in a spreadsheet."""

    header: list[str]

    @abstractmethod
    def rows(self) -> Iterator[tuple[int, Cells]]:
        """(row number, cells) of every non-blank row after the header (CsvTable and XlsxTable read them)."""

    def fraction_read(self) -> float | None:
        """How far into the file the reading is, when it can be told."""
        return None


def _blank(cells: Cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header(cells: Cells) -> list[str]:
    return [("" if c is None else str(c)).strip() for c in cells]


class CsvTable(Table):
    def __init__(self, handle: IO[bytes], fmt: FileFormat, size: int) -> None:
        self._handle = handle
        self._fmt = fmt
        self._size = size
        self._reader = csv.reader(self._lines(), delimiter=fmt.delimiter or ",", skipinitialspace=True)
        self._pending: tuple[int, Cells] | None = None
        self.header = []
        for _number, cells in self._records():
            self.header = _header(cells)
            break

    def _lines(self) -> Iterator[str]:
        number = 0
        while True:
            raw = self._handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise ImportFileError(_("Line %(line)s is longer than 1 MB: this does not look like a call log.")
                                      % {"line": number})
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            text = _decode(raw, self._fmt.encoding, number)
            if self._fmt.encoding == "cp1251" and not raw.isascii() and _is_utf8(raw):
                raise mixed_encodings(number)
            yield text

    def _records(self) -> Iterator[tuple[int, Cells]]:
        while True:
            start = self._reader.line_num + 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportFileError(
                    _("Line %(line)s cannot be read as CSV (%(reason)s). Check the quotes on that line.")
                    % {"line": start, "reason": exc}) from None
            if not _blank(cells):
                yield start, cells

    def rows(self) -> Iterator[tuple[int, Cells]]:
        return self._records()

    def fraction_read(self) -> float | None:
        return min(1.0, self._handle.tell() / self._size) if self._size else None


class XlsxTable(Table):
    def __init__(self, path: Path) -> None:
        # A file object, not the path: openpyxl refuses paths that do not end in .xlsx, and uploads are *.upload.
        self._handle = path.open("rb")
        try:
            self._book = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds (zip, XML, KeyError) for a damaged or foreign file
            self._handle.close()
            raise ImportFileError(_("The XLSX file is damaged or is not a spreadsheet. Open it in Excel or "
                                    "LibreOffice, save it again and upload that.")) from None
        if not self._book.worksheets:
            self.close()
            raise ImportFileError(_("The file is empty."))
        sheet = self._book.worksheets[0]
        self._total = sheet.max_row if isinstance(sheet.max_row, int) else None
        self._iter = enumerate(sheet.iter_rows(values_only=True), start=1)
        self._number = 0
        self.header = []
        try:
            for _number, cells in self._records():
                self.header = _header(cells)
                break
        except ImportFileError:
            self.close()
            raise

    def _records(self) -> Iterator[tuple[int, Cells]]:
        try:
            for number, values in self._iter:
                self._number = number
                cells = list(values)
                if not _blank(cells):
                    yield number, cells
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(_("Row %(row)s of the XLSX file cannot be read: the file is damaged. Save it "
                                    "again and upload that.") % {"row": self._number + 1}) from None

    def rows(self) -> Iterator[tuple[int, Cells]]:
        return self._records()

    def fraction_read(self) -> float | None:
        return min(1.0, self._number / self._total) if self._total else None

    def close(self) -> None:
        self._book.close()
        self._handle.close()


@contextmanager
def open_table(path: Path, fmt: FileFormat) -> Iterator[Table]:
    """The file's rows, read lazily; ImportFileError when the file cannot be read (also while iterating)."""
    if fmt.kind == XLSX:
        table = XlsxTable(path)
        try:
            yield table
        finally:
            table.close()
        return
    with path.open("rb") as handle:
        yield CsvTable(handle, fmt, path.stat().st_size)


def preview(path: Path, fmt: FileFormat, *, rows: int = 5) -> tuple[list[str], list[tuple[int, Cells]]]:
    """The header and the first rows, for the mapping step. ImportFileError for an empty or header-only file."""
    with open_table(path, fmt) as table:
        if not any(table.header):
            raise ImportFileError(_("The file is empty."))
        first: list[tuple[int, Cells]] = []
        for item in table.rows():
            first.append(item)
            if len(first) >= rows:
                break
        if not first:
            raise ImportFileError(_("The file has a header row but no rows of data."))
        return table.header, first

"""Reading uploaded call logs: type by content, encodings, broken and empty files — each with a clear message."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from varta.accounts.permissions import Role
from varta.hotline.importer_files import CSV, XLSX, FileFormat, ImportFileError, import_dir, open_table, sniff
from varta.hotline.tests.helpers_imports import csv_bytes, stored, upload, xlsx_bytes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def sniffed(content: bytes) -> FileFormat:
    return sniff(stored(content).path)


def rows_of(content: bytes) -> list[tuple[int, list[object]]]:
    upload_ = stored(content)
    with open_table(upload_.path, sniff(upload_.path)) as table:
        return [(n, list(c)) for n, c in table.rows()]


def test_it_tells_csv_from_xlsx_by_content_not_by_name():
    assert sniffed(xlsx_bytes([["Date"], ["2024-03-01"]])).kind == XLSX
    assert sniffed(csv_bytes([["Date"], ["2024-03-01"]])) == FileFormat(kind=CSV, encoding="utf-8", delimiter=",")


@pytest.mark.parametrize(("content", "encoding"), [
    ("Дата;Тема\r\n01.03.2024;Інше\r\n".encode("cp1251"), "cp1251"),
    ("Дата;Тема\r\n01.03.2024;Інше\r\n".encode(), "utf-8"),
    (codecs.BOM_UTF8 + "Дата;Тема\r\n01.03.2024;Інше\r\n".encode(), "utf-8-sig"),
])
def test_it_detects_the_encoding_and_the_delimiter(content, encoding):
    fmt = sniffed(content)
    assert (fmt.encoding, fmt.delimiter) == (encoding, ";")
    assert rows_of(content) == [(2, ["01.03.2024", "Інше"])]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty."),
    (PNG, "This is not a CSV or XLSX file."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "This is an old Excel (.xls) file."),
    (codecs.BOM_UTF16_LE + "Date".encode("utf-16-le"), "This is UTF-16 text"),
    (b"%PDF-1.7\n", "This is not a CSV or XLSX file."),
])
def test_it_refuses_what_is_not_a_call_log(content, message):
    with pytest.raises(ImportFileError) as raised:
        sniffed(content)
    assert str(raised.value).startswith(message)


def test_it_refuses_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ImportFileError, match="not a CSV or XLSX"):
        sniffed(out.getvalue())


def test_it_refuses_a_damaged_workbook():
    content = xlsx_bytes([["Date"], ["2024-03-01"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as original, zipfile.ZipFile(out, "w") as damaged:
        for item in original.infolist():
            data = original.read(item)
            damaged.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets") else data)
    with pytest.raises(ImportFileError, match="damaged"):
        rows_of(out.getvalue())


def test_it_names_the_line_of_a_broken_encoding_early_in_the_file():
    content = "Дата,Тема\n".encode() + "01.03.2024,Інше\n".encode("cp1251")
    with pytest.raises(ImportFileError) as raised:
        sniffed(content)
    assert str(raised.value).startswith("Line 2 is in a different text encoding from line 1")


def test_it_names_the_line_of_a_broken_encoding_late_in_the_file():
    good = "".join(f"01.03.2024,Інше {i}\n" for i in range(60_000)).encode()  # more than the 1 MB sample
    content = "Дата,Тема\n".encode() + good + b"02.03.2024,\xff\xfe\n"
    assert sniffed(content).encoding == "utf-8"
    with pytest.raises(ImportFileError) as raised:
        rows_of(content)
    assert str(raised.value).startswith("Line 60002 is not valid UTF-8 text")


def test_it_names_a_utf8_line_in_a_windows_1251_file():
    head = "Дата,Тема\n".encode("cp1251") + b"".join(f"01.03.2024,Інше {i}\n".encode("cp1251")
                                                     for i in range(70_000))
    content = head + "02.03.2024,Інше\n".encode()
    with pytest.raises(ImportFileError, match="Line 70002 is in a different text encoding"):
        rows_of(content)


def test_it_skips_blank_rows_and_numbers_rows_as_the_person_sees_them():
    content = b'Date,Notes\n\n2024-03-01,"two\nlines"\n,\n2024-03-02,x\n'
    assert rows_of(content) == [(3, ["2024-03-01", "two\nlines"]), (6, ["2024-03-02", "x"])]
    book = xlsx_bytes([["Date"], [], ["2024-03-01"], [None], ["2024-03-02"]])
    assert [n for n, _ in rows_of(book)] == [3, 5]


def test_it_refuses_an_endless_line():
    with pytest.raises(ImportFileError, match="Line 2 is longer than 1 MB"):
        rows_of(b"Date,Notes\n" + b"x" * (1024 * 1024 + 10))


def test_it_explains_an_upload_it_refuses_and_deletes_the_file(personas):
    manager = personas.a.membership(Role.INFORMATION_MANAGER)
    for content, message in ((b"", "The file is empty."), (PNG, "This is not a CSV or XLSX file."),
                             (b"Date,Topics\r\n", "The file has a header row but no rows of data."),
                             (b"\r\n\r\n", "The file is empty.")):
        with pytest.raises(ValidationError) as raised:
            upload(manager, content)
        assert raised.value.message_dict["file"][0].startswith(message)
    assert list(import_dir().iterdir()) == []

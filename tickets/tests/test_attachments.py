import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.attachments import check_uploads, sniff_content_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("screen.png", PNG, "image/png"),
        ("report.pdf", PDF, "application/pdf"),
        ("server.log", "2026-11-22 ERROR Ошибка соединения\n".encode(), "text/plain"),
        ("cp1251.log", "Ошибка".encode("cp1251"), "text/plain"),
        ("picture.png", EXE, "application/x-msdownload"),
        ("notes.txt", ELF, "application/x-executable"),
    ],
)
def test_type_comes_from_content_not_name(name, content, expected):
    assert sniff_content_type(SimpleUploadedFile(name, content, "image/png")) == expected


def test_disguised_executable_is_refused_with_its_name():
    with pytest.raises(ValidationError) as exc:
        check_uploads([SimpleUploadedFile("holiday.png", EXE, "image/png")])
    assert "holiday.png" in exc.value.messages[0]


def test_over_limit_file_error_names_file_and_limit(settings):
    settings.ATTACHMENT_MAX_FILE_BYTES = 50
    with pytest.raises(ValidationError) as exc:
        check_uploads([SimpleUploadedFile("big.png", PNG)])
    message = exc.value.messages[0]
    assert "big.png" in message and "50" in message


def test_every_bad_file_is_reported_at_once(settings):
    settings.ATTACHMENT_MAX_FILE_BYTES = 50
    with pytest.raises(ValidationError) as exc:
        check_uploads([SimpleUploadedFile("big.png", PNG), SimpleUploadedFile("bad.png", EXE[:40])])
    assert len(exc.value.messages) == 2


def test_accepted_files_come_back_with_their_real_type():
    accepted = check_uploads([SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.jpg", PNG)])
    assert [ct for _, ct in accepted] == ["application/pdf", "image/png"]

"""Typed errors. A ``DocumentError`` fails one document only; the run goes on."""

from __future__ import annotations


class ReportflowError(Exception):
    """Base class of every error reportflow raises on purpose."""


class DocumentError(ReportflowError):
    """This document cannot be processed; the message says why in words a user can act on."""

    code = "document_error"


class EmptyFileError(DocumentError):
    code = "empty_file"


class UnreadableFileError(DocumentError):
    """The file exists but cannot be read (permissions, I/O error) or vanished after discovery."""

    code = "unreadable"


class UnsupportedInputError(DocumentError):
    """Unknown extension, or content that is not what the extension claims."""

    code = "unsupported_input"


class CorruptPdfError(DocumentError):
    """Truncated, broken xref, no page tree, not a PDF at all."""

    code = "corrupt_pdf"


class EncryptedPdfError(DocumentError):
    """Needs a password to open."""

    code = "encrypted_pdf"


class NoPagesError(DocumentError):
    code = "no_pages"


class PageTooLargeError(DocumentError):
    code = "page_too_large"


class TextDecodeError(DocumentError):
    """A .txt file in no encoding we can recognise."""

    code = "text_decode"


class NoTextError(DocumentError):
    """Neither a text layer nor OCR found any text."""

    code = "no_text"


class OcrError(DocumentError):
    """Tesseract failed or timed out on a page."""

    code = "ocr_failed"


class FileNotReadyError(ReportflowError):
    """The file is still being written (size changing): transient, retried with backoff."""

    code = "file_not_ready"


class ToolMissingError(ReportflowError):
    """An external program (tesseract, its language data) is not installed."""


class WarehouseError(ReportflowError):
    """The DuckDB warehouse could not be opened or written."""

"""The exceptions the product raises on bad input.

Every class states the rule that was broken. Each carries a list of problems so that a file
with several mistakes is reported whole, not one mistake per run.
"""

from __future__ import annotations


class ITSSError(Exception):
    """Input broke a rule of the product; the message says where and what."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class CriteriaError(ITSSError, ValueError):
    """criteria.yaml must follow the schema described at its top."""


class AnswersError(ITSSError, ValueError):
    """An answers file may hold only the keys and values the criteria define."""


class RosterError(ITSSError, ValueError):
    """A roster needs one row per employee with a unique, non-empty employee_id."""


class WorkbookError(ITSSError, ValueError):
    """A workbook must be one the generator wrote, readable and intact."""


class FunctionInputError(ITSSError, ValueError):
    """An Excel function takes a two-column range of answer keys and values, and known IDs."""


class TemplateError(ITSSError, ValueError):
    """A text template in templates/ must keep the shape its header comment describes."""


class PrefillError(ITSSError, ValueError):
    """A prefill file must be an answers file or an import report with employees' answers."""


class OutputError(ITSSError, OSError):
    """An output path must be a writable file or folder."""


class WorkerError(ITSSError, RuntimeError):
    """Worker processes must start: a script that imports must guard its work with
    `if __name__ == "__main__":`, since each worker imports the script's main module."""

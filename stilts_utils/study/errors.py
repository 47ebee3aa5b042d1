"""The one error type of a study that cannot run."""


class StudyError(ValueError):
    """A study file that cannot run; the message says what is wrong and what is allowed."""

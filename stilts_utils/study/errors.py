"""The one error type of a study that cannot run."""


class StudyError(ValueError):
    """A study file that cannot run; the message says what is wrong and what is allowed. `key`: the dotted
    key path of the bad value, when there is one, so the loader can add its line in the file."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key

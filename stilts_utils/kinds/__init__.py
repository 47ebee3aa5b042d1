"""Kind registry: featurisation, head and prediction decoding shared by all tasks of one shape."""
from . import classification, multiple_choice, span_qa, tagging

KINDS = {
    "classification": classification,
    "multiple_choice": multiple_choice,
    "span_qa": span_qa,
    "tagging": tagging,
}

"""The HTTP edge, before and after every route: which requests are answered at all
(`guard.py`), errors as JSON (`errors.py`), the headers of every answer (`headers.py`), and
the JSON encoder (`json.py`)."""

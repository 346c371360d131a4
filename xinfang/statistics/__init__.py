"""Statistics and assessment (issue 19 §1): every figure in ``figures.py``, daily and monthly rollups
kept by the worker (``rollup.py``), reads in ``selectors.py``, spreadsheets in ``exports.py``."""

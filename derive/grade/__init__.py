"""derive check: a hand-derived gradient read, compared and judged.

Fifth layer, beside verify and numeric. The flow inside: parse.py (the text, by the
lark grammar in grammar.lark) -> build.py with names.py, chains.py and value.py (SymPy
objects with shapes) -> diagnose.py (comparison with the derived gradient) ->
feedback.py (sentences) -> grader.py (the verdict, `check_gradient`).
"""

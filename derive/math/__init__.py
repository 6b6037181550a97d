"""SymPy helpers that know no model: matrix calculus and textbook notation.

Second layer, above core. matcalc.py puts SymPy's matrix derivatives in the layout the
derivation uses and reduces 1×1 terms; printing.py and shown_numbers.py print SymPy
objects as a textbook does (LaTeX for documents, Unicode for terminals).
"""

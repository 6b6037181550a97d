"""SymPy helpers that know no model: matrix calculus, notation, and the rule table.

Second layer, above core. matcalc.py puts SymPy's matrix derivatives in the layout the
derivation uses and reduces 1×1 terms; functions.py and entrywise.py add σ, softplus and
entrywise nodes; rules.py is the planner's table of local derivatives; printing.py and
shown_numbers.py print SymPy objects as a textbook does (LaTeX, Unicode).
"""

"""The three independent checks of every step: symbolic, explicit, numeric.

Fifth layer, beside numeric and grade (none of the three imports another).
step_checks.py runs the routes of routes.py (symbolic and explicit, with polymatrix.py's
exact polynomials) and finite_differences.py (lambdified NumPy and central differences)
on every relation. Import-linter keeps this package from importing steps/article.py.
"""

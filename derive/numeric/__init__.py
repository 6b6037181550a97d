"""The derivation run on numbers: generated NumPy code, data, descent, references.

Fifth layer, beside verify and grade. codegen.py lambdifies the derivation's gradients;
dataset.py reads a CSV file (NumPy only, never SymPy); conditioning.py bounds the step by
the Hessian; descent.py runs gradient descent; contours.py and worked_example.py give
the numbers the figures and the worked example show.
"""

"""The model: its symbols with their shapes, the prediction, the error and the cost.

Third layer. Everything later is built from one `Model` (linear.py, the article's
linear regression with the mean-squared-error cost); notation.py fills prose
placeholders such as {alpha} with the model's own symbols.
"""

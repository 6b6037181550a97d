"""The models: their symbols with shapes, named quantities and costs, as data.

Third layer. linear.py is the article's linear regression (one `Model`, from which the
19 steps are computed); spec.py holds any model of the family as a `ModelSpec`, read from
a description file (description.py, with expressions.py and grammar.lark) or one of the
built-in models (catalog.py, builtin/*.toml); notation.py fills prose placeholders such
as {alpha} with a model's own symbols.
"""

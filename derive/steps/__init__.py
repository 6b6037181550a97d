"""The derivation as data, and the article's 19 steps computed with SymPy.

Fourth layer. derivation.py holds the data (Relation, Step, Derivation) that every later
package reads; article.py computes the 19 steps from the model. The checks (verify) use
the data only, never the code that made it.
"""

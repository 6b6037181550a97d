"""The derivation as data: the article's 19 steps, and the planner's steps of any model.

Fourth layer. derivation.py holds the data (Relation, Step, Derivation) that every later
package reads; article.py computes the 19 steps of mse; plan.py (with chain.py and the
rule table math/rules.py) turns any model description into steps; choose.py picks one by
name. The checks (verify) use the data only, never the code that made it.
"""

"""Files: Jinja templates (package data in templates/) to HTML, LaTeX, PDF, notebooks.

Seventh layer. handouts.py renders the views of present/ and writes every file of a
handout or the slides atomically; notebook.py builds the Jupyter notebook; jupyter.py
gives the public `derive.derivation()` its HTML view.
"""

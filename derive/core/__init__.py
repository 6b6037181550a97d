"""What every stage shares, and no mathematics: errors, languages, files, processes.

The bottom layer of derive (core -> math -> models -> steps -> verify | numeric |
grade -> present -> render -> cli). Nothing here imports SymPy or NumPy: the errors
users see, the gettext catalogs, files replaced atomically, work in forked child
processes, and the version.
"""

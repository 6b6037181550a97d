"""The command line: thin click commands over the packages below.

The top layer. main.py holds the group and most commands, run.py `derive run`, check.py
`derive check`, params.py the shared options and parameter types, language.py click's own
words in the chosen language.
"""

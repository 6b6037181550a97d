"""The command line: thin click commands over the packages below.

The top layer. main.py holds the commands, params.py the shared options, language.py
click's own words in the chosen language.
"""

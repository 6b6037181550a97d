"""What users see, as data and text: views of the steps, the example, the checks.

Sixth layer. handout.py and example_view.py turn steps, checks and the worked example
into ready LaTeX for the templates; terminal.py and run_report.py make the command
line's text and JSON; plots.py draws the figures and figure_files.py gives their bytes.
"""

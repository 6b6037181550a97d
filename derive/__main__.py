"""`python -m derive`: the same command line as the `derive` script."""

from derive.cli import main

if __name__ == "__main__":
    main()

"""`python -m derive`: the same command line as the `derive` script."""

from derive.cli.main import main

if __name__ == "__main__":
    main()

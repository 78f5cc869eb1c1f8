"""`python -m mlsd` runs the same CLI as the `mlsd` script."""

from mlsd.cli import run

if __name__ == "__main__":
    run()

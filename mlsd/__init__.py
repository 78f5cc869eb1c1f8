"""mlsd: a command-line coach for machine-learning system design."""

__version__ = "0.1.0"

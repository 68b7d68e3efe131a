"""bangfu (帮扶): paired assistance and return-to-poverty monitoring."""

__version__ = "0.1.0"

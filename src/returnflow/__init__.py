"""ReturnFlow: reverse logistics from authorization to an exact credit."""

__version__ = "0.1.0"

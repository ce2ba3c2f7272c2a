"""pmsize: size product problems by the cost of their cheapest solution."""

__version__ = "0.1.0"

__all__ = ["__version__"]

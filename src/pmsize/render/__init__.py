"""Output formats: one module each. Only this package talks to Rich."""

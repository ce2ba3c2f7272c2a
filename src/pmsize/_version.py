"""The version of pmsize: here alone, read by the build (`pyproject.toml`) and by
`pmsize.__version__`, so modules below the package's face can name it too."""

__version__ = "0.1.0"

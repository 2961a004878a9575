"""phonetui: push Cisco IP Phone XML objects to phones and watch them answer."""

__version__ = "0.1.0"

"""phonetui: push Cisco IP Phone XML objects to phones and watch them answer."""

import logging

__version__ = "0.1.0"

# The library logs but never decides where to: without this, logging's last resort would
# print warnings on stderr, over the terminal the app draws on. The CLI's --log-file adds a handler.
logging.getLogger(__name__).addHandler(logging.NullHandler())

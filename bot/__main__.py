"""`python -m bot`: start the Telegram bot (long polling)."""

import sys

from bot.app import main

sys.exit(main())

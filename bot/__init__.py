"""Sales Pulse: the Telegram bot that runs a sales department's daily plan/fact rhythm."""

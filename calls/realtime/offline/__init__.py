"""The offline engine: a local stand-in for OpenAI Realtime speaking the same GA protocol."""

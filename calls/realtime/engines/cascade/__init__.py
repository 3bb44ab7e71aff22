"""The cascaded engine (speech-to-text → LLM → text-to-speech), issue 17.

Not an engine yet: this package holds the pure pieces the engine will use
(``text.py``: LLM tokens → speakable chunks). It is registered in
``calls/realtime/engines/__init__.py`` once the engine module exists.
"""

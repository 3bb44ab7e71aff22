"""The cascaded engine (speech to text → LLM → text to speech), being built (issue 17;
docs/STATUS.md has the plan): its parts, not yet an engine in the registry."""

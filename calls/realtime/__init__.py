"""The realtime call bridge: plain asyncio, no Django imports.

``CallSession`` speaks the OpenAI Realtime GA protocol upstream and the widget
protocol (docs/protocol.md) towards the caller; the Django side injects
everything that touches the database through ``CallHooks``.
"""

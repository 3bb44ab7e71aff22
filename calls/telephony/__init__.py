"""Phone calls: what every provider shares, and one folder per provider.

- ``base.py``: ``PhoneMediaConsumer``, a provider's media stream bridged to a call
  (admission, playback marks, barge-in, refusals); a provider supplies its framing.
- ``events.py``: the typed events a provider's frames are read into.
- ``marks.py``: the played position from playback marks (pure logic).
- ``grants.py``: single-use stream tokens, from the webhook to the stream.
- ``webhook.py``: public addresses and the admission every voice webhook makes.
- ``registry.py``: the providers, whose routes the project includes.
- ``<provider>/``: ``webhook.py``, ``consumer.py`` (framing), ``urls.py``, ``tests/``.

See docs/telephony.md, "Adding a phone provider".
"""

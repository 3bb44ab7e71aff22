"""SIP trunks through OpenAI's SIP connector (docs/telephony.md, "SIP trunks").

The trunk sends its calls to OpenAI; OpenAI asks us (a signed ``realtime.call.incoming``
webhook) whether and how to answer; the audio then flows between the carrier and OpenAI
and never reaches this server. We accept the call with the agent's session and keep a
**sideband** WebSocket on it: the same ``CallSession`` as a media call, in its sideband
mode, running tools, transcripts, usage, limits and records.

- ``headers.py``  the SIP headers of the webhook: who called, which number
- ``control.py``  OpenAI's call control (accept, reject, refer, hang-up) and the accept body
- ``webhook.py``  the webhook view: verify, deduplicate, route, accept or reject
- ``services.py`` / ``selectors.py``  the call's row: admission, attach, adoption
- ``hooks.py``    ``SidebandHooks``: the session's CallHooks on a call with no audio
- ``sideband.py`` one call's sideband run (attach, re-attach)
- ``staff.py``    the call's control group: staff hanging up from the dashboard
- ``supervisor.py`` the sideband tasks of a process, recovery of orphaned calls, and
  where a call's sideband runs (a Channels worker with Redis, else in-process)
- ``consumer.py`` the worker's consumer on the ``SIP_SIDEBAND_CHANNEL``
"""

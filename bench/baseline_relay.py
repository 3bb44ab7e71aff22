"""The practical floor for a Python relay: a bare ``websockets`` server doing the same
forwarding as the product (widget protocol ⇄ Realtime GA), with no Django.

Run: python bench/baseline_relay.py UPSTREAM_URL PORT_FILE
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import sys
import uuid

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


async def relay(client: ServerConnection, upstream_url: str) -> None:
    """Web framing on ``/``, Twilio Media Streams framing on ``/twilio``, Plivo Audio
    Streaming framing on ``/plivo``."""
    path = client.request.path if client.request is not None else "/"
    phone = "twilio" if path.startswith("/twilio") else "plivo" if path.startswith("/plivo") else ""
    async with connect(
        upstream_url,
        additional_headers={"Authorization": "Bearer bench"},
        max_size=None,
        compression=None,
    ) as upstream:
        await upstream.recv()  # session.created
        await upstream.send(json.dumps({"type": "session.update", "session": {"type": "realtime"}}))
        await upstream.recv()  # session.updated
        stream_sid = ""
        if phone:
            key = "streamSid" if phone == "twilio" else "streamId"
            while not stream_sid:
                stream_sid = json.loads(await client.recv()).get("start", {}).get(key, "")
        else:
            await client.send(
                json.dumps(
                    {
                        "type": "ready",
                        "call_id": str(uuid.uuid4()),
                        "agent": {"name": "baseline"},
                        "input_sample_rate": 24000,
                    }
                )
            )
        marks = itertools.count()

        async def client_to_upstream() -> None:
            async for frame in client:
                message = json.loads(frame)
                if message.get("type") == "audio":
                    audio = message["audio"]
                elif message.get("event") == "media":
                    audio = message["media"]["payload"]
                else:
                    continue
                await upstream.send('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')

        async def upstream_to_client() -> None:
            async for frame in upstream:
                event = json.loads(frame)
                if event.get("type") != "response.output_audio.delta":
                    continue
                if phone == "twilio":
                    sid = json.dumps(stream_sid)
                    await client.send(
                        '{"event":"media","streamSid":'
                        + sid
                        + ',"media":{"payload":"'
                        + event["delta"]
                        + '"}}'
                    )
                    name = f"{event['item_id']}:{next(marks)}"
                    await client.send(
                        json.dumps(
                            {"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}
                        )
                    )
                elif phone == "plivo":
                    await client.send(
                        '{"event":"playAudio","media":{"contentType":"audio/x-mulaw",'
                        '"sampleRate":8000,"payload":"' + event["delta"] + '"}}'
                    )
                    name = f"{event['item_id']}:{next(marks)}"
                    await client.send(
                        json.dumps({"event": "checkpoint", "streamId": stream_sid, "name": name})
                    )
                else:
                    await client.send(
                        '{"type":"audio","item_id":'
                        + json.dumps(event["item_id"])
                        + ',"audio":"'
                        + event["delta"]
                        + '"}'
                    )

        tasks = [
            asyncio.ensure_future(client_to_upstream()),
            asyncio.ensure_future(upstream_to_client()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()


async def main(upstream_url: str, port_path: str) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def handler(client: ServerConnection) -> None:
        try:
            await relay(client, upstream_url)
        except ConnectionClosed:
            pass

    async with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        with open(port_path, "w") as handle:
            handle.write(str(server.sockets[0].getsockname()[1]))
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))

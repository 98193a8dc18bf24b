"""A scripted OpenAI-compatible chat.completions server on 127.0.0.1, for the LLM tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Script = Callable[[dict], "tuple[int, str, float]"]  # request → (status, reply text, delay)


def completion(content: str, model: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class FakeLLM:
    """A scripted chat.completions endpoint; it records every request body it receives."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: Script = lambda body: (200, "", 0.0)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body})
                status, content, delay = fake.script(body)
                time.sleep(delay)
                payload = json.dumps(completion(content, body.get("model", "")))
                if status != 200:
                    payload = json.dumps({"error": {"message": "boom", "type": "server_error"}})
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload.encode())))
                    self.end_headers()
                    self.wfile.write(payload.encode())
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def user_message(self, i: int = -1) -> str:
        messages = self.requests[i]["body"]["messages"]
        return next(m["content"] for m in messages if m["role"] == "user")

    def system_message(self, i: int = -1) -> str:
        messages = self.requests[i]["body"]["messages"]
        return next(m["content"] for m in messages if m["role"] == "system")

"""A small MCP server over streamable HTTP on loopback, for the example registry and the tests.

Runs on the pinned LiteLLM virtualenv's Python, whose `mcp` package (the official Python SDK,
one of LiteLLM's own dependencies) provides MCPServer (FastMCP before mcp 2.x):

    ~/.cache/aibackend/litellm-1.106.12/bin/python scripts/mcp-demo-server.py [--port 8765] [--name demo-tools]
        [--transport http|sse|stdio]   # streamable HTTP at /mcp (default), the older SSE transport at /sse,
                                       # or stdio (the gateway starts it: a registry's stdio command)
        [--token-env VAR]        # require "Authorization: Bearer $VAR" on every request

Its tools: add(a, b), echo(text), now(). It serves until stopped.
"""

import argparse
import datetime
import os
import sys

from mcp.server.mcpserver import MCPServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--name", default="demo-tools")
    parser.add_argument("--transport", choices=("http", "sse", "stdio"), default="http")
    parser.add_argument("--token-env", help="require Authorization: Bearer <the value of this variable>")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("mcp-demo-server: loopback only")

    mcp = MCPServer(args.name)

    @mcp.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @mcp.tool()
    def echo(text: str) -> str:
        """Echo the text back."""
        return text

    @mcp.tool()
    def now() -> str:
        """The server's time, ISO 8601 in UTC."""
        return datetime.datetime.now(datetime.timezone.utc).isoformat()

    if args.transport == "stdio":
        mcp.run("stdio")
        return

    app = mcp.streamable_http_app() if args.transport == "http" else mcp.sse_app(host=args.host)
    if args.token_env:
        expected = f"Bearer {os.environ[args.token_env]}".encode()
        inner = app

        async def app(scope, receive, send):  # noqa: F811: the same app, behind a bearer check
            if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != expected:
                await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"unauthorized"})
                return
            await inner(scope, receive, send)

    import uvicorn

    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()

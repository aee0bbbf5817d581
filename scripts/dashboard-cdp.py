#!/usr/bin/env python3
"""Loads a page in headless Chromium over the DevTools protocol, in real time (a page with an open
EventSource never lets --virtual-time-budget or --timeout finish), until a JavaScript condition holds or a
deadline passes; then writes the DOM, a screenshot and the console messages.

Usage: scripts/dashboard-cdp.py WS_URL PAGE_URL DOM_OUT PNG_OUT CONSOLE_OUT CONDITION_JS TIMEOUT_S WIDTH HEIGHT
"""
import base64, json, os, socket, struct, sys, time, urllib.parse


class WebSocket:
    """A minimal RFC 6455 client (text frames, client-side masking), enough for the DevTools protocol."""

    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {head!r}")

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            data += chunk
        return data

    def receive(self):
        message = b""
        while True:
            first, second = self._exact(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(length)
            opcode = first & 0x0F
            if opcode in (0x1, 0x0, 0x2):
                message += payload
                if first & 0x80:
                    return message.decode()
            elif opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            # ping/pong frames are ignored


def main():
    ws_url, page, dom_out, png_out, console_out, condition, timeout, width, height = sys.argv[1:10]
    ws = WebSocket(ws_url)
    next_id = [0]
    console = []

    def call(method, params=None, session=None):
        next_id[0] += 1
        message = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        ws.send(json.dumps(message))
        while True:
            answer = json.loads(ws.receive())
            if answer.get("method") == "Runtime.consoleAPICalled":
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in answer["params"]["args"])
                console.append(f"CONSOLE({answer['params']['type']}): {args}")
            elif answer.get("method") == "Runtime.exceptionThrown":
                console.append(f"CONSOLE(exception): {answer['params']['exceptionDetails'].get('text')}")
            elif answer.get("method") == "Log.entryAdded":
                entry = answer["params"]["entry"]
                console.append(f"CONSOLE({entry['level']}): {entry.get('text')} {entry.get('url', '')}")
            elif answer.get("id") == next_id[0]:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        call(f"{domain}.enable", session=session)
    call("Emulation.setDeviceMetricsOverride",
         {"width": int(width), "height": int(height), "deviceScaleFactor": 1, "mobile": False}, session=session)
    call("Page.navigate", {"url": page}, session=session)
    deadline = time.monotonic() + float(timeout)
    met = False
    while time.monotonic() < deadline:
        result = call("Runtime.evaluate", {"expression": f"Boolean({condition})", "returnByValue": True},
                      session=session)
        if result.get("result", {}).get("value") is True:
            met = True
            break
        time.sleep(0.25)
    dom = call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True},
               session=session)["result"]["value"]
    with open(dom_out, "w") as f:
        f.write(dom)
    shot = call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)
    with open(png_out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    with open(console_out, "w") as f:
        f.write("\n".join(console) + ("\n" if console else ""))
    print("condition met" if met else f"condition not met after {timeout} s")
    try:
        call("Browser.close")
    except RuntimeError:
        pass


if __name__ == "__main__":
    main()

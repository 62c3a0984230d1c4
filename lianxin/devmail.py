"""Local stand-ins for the mail server and the SMS provider, for the run command: every
e-mail is kept as an .eml file and every text message as a .json file a person can open.
Production points LX_SMTP_HOST/PORT at a real mail server and LX_SMS_URL at a real SMS
gateway instead."""

import argparse
import json
import pathlib
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def sms_sink(folder, port):
    """An HTTP server taking what notify's SmsGateway posts ({to, text, ref})."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                message = json.loads(body)
            except ValueError:
                self.send_response(400)
                self.end_headers()
                return
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.json"
            (folder / name).write_text(
                json.dumps(message, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default="var/mail")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--sms-dir", default="var/sms")
    parser.add_argument("--sms-port", type=int, default=8026)
    args = parser.parse_args()
    controller = Controller(SaveToFolder(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"SMTP on 127.0.0.1:{args.port}, messages saved in {args.dir}/", flush=True)
    sms_sink(args.sms_dir, args.sms_port)
    print(
        f"SMS gateway on http://127.0.0.1:{args.sms_port}/, texts saved in {args.sms_dir}/",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()

"""A local SMTP server for the run command: every message it receives is kept as an .eml file
a person can open. Production points LX_SMTP_HOST/PORT at a real mail server instead."""
import argparse
import pathlib
import time
import uuid

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default="var/mail")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    controller = Controller(SaveToFolder(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"SMTP on 127.0.0.1:{args.port}, messages saved in {args.dir}/", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()

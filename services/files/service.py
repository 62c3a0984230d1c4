"""The files service: photos and documents with a case — checked by their content, cleaned,
stored in chunks, served to whoever may see the case (nameko entrypoints only;
docs/decisions/0023). Bytes cross the bus base64-encoded in the JSON RPC message."""

from nameko.rpc import rpc

from lianxin import cases, settings
from lianxin.clock import exact_utcnow
from lianxin.service import LianxinService

from . import content, handlers

CONFIG = {
    "limits": content.Limits(
        max_bytes=settings.ATTACHMENT_MAX_BYTES,
        max_pixels=settings.ATTACHMENT_MAX_PIXELS,
        thumbnail_px=settings.ATTACHMENT_THUMBNAIL_PX,
    ),
    "max_per_case": settings.ATTACHMENT_MAX_PER_CASE,
    "chunk_bytes": settings.ATTACHMENT_CHUNK_BYTES,
    "orphan_seconds": settings.ATTACHMENT_ORPHAN_SECONDS,
}


class FilesService(LianxinService):
    name = "files"

    @rpc
    def attach(self, case_id, who, upload):
        """`who` is {"actor": staff actor} or {"code": the citizen's access code}."""
        deps = cases.Deps(self.db, self.publisher, self.clock.now())
        return handlers.attach(deps, case_id, who, upload, CONFIG)

    @rpc
    def list(self, case_id, who):
        return handlers.listing(self.db, case_id, who, CONFIG["max_per_case"])

    @rpc
    def read(self, case_id, file_id, who, thumbnail=False):
        return handlers.read(self.db, case_id, file_id, who, thumbnail)

    def periodic(self, now):
        # Uploads are timed on real time, like the leases, whatever business time says.
        self.sweeps.run_once("files-orphans", lambda: handlers.sweep(self.db, exact_utcnow()))

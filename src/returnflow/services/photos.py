"""Inspection photos: only JPEG, PNG or WebP (checked by content), within a size limit; the file is
written first and its record committed after, and a failed transaction removes the file again.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.domain.photos import EXTENSIONS, IMAGE_TYPES, image_type
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.floor_scope import floor_line, floor_return, require_received
from returnflow.services.ids import new_id
from returnflow.services.recording import record
from returnflow.services.storage_port import PhotoStore

if TYPE_CHECKING:
    from returnflow.adapters.db.tables_floor import InspectionPhotoRow
    from returnflow.adapters.db.uow import Database


class PhotoTooLarge(ValidationFailed):
    """An upload above the configured size limit."""


def check_photo(data: bytes, max_bytes: int) -> str:
    """The photo's media type; PhotoTooLarge or ValidationFailed (not an image) otherwise."""
    if len(data) > max_bytes:
        raise PhotoTooLarge(
            f"the photo is {len(data):,} bytes; the limit is {max_bytes:,} bytes",
            code="photo_too_large",
            problems=[FieldProblem("file", "photo_too_large", f"at most {max_bytes:,} bytes")],
        )
    kind = image_type(data)
    if kind is None:
        raise ValidationFailed(
            "the file is not an image: upload a JPEG, PNG or WebP photo",
            code="not_an_image",
            problems=[FieldProblem("file", "not_an_image", f"accepted: {', '.join(IMAGE_TYPES)}")],
        )
    return kind


def upload_photo(
    db: Database,
    clock: Clock,
    actor: Actor,
    store: PhotoStore,
    return_id: str,
    line_id: str,
    data: bytes,
    *,
    code: str | None = None,
    max_bytes: int,
) -> dict[str, Any]:
    """POST …/photos: store one photo of a received line (refused whole: nothing kept on failure)."""
    actor.require("floor.inspect")
    kind = check_photo(data, max_bytes)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row, node = floor_return(uow, actor, return_id, for_update=True)
        require_received(row, node)
        line = floor_line(uow, row, line_id)
        photo_id = new_id("pho")
        key = f"{actor.tenant_id}/{row.id}/{line.id}/{photo_id}.{EXTENSIONS[kind]}"
        store.put(key, data)
        try:
            photo = uow.floor.add_photo(
                id=photo_id,
                return_id=row.id,
                return_line_id=line.id,
                code=code,
                content_type=kind,
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_key=key,
                uploaded_at=now,
                uploaded_by=actor.label,
            )
            record(
                uow,
                actor,
                now,
                "photo.uploaded",
                "return",
                row.id,
                {"photo_id": photo_id, "return_line_id": line.id, "code": code, "sha256": photo.sha256},
            )
            view = photo_view(photo)
            uow.commit()
        except BaseException:
            store.delete(key)
            raise
    return view


def photo_view(p: InspectionPhotoRow) -> dict[str, Any]:
    """A photo's record as the API shows it."""
    return {
        "id": p.id,
        "return_line_id": p.return_line_id,
        "code": p.code,
        "content_type": p.content_type,
        "size_bytes": p.size_bytes,
        "sha256": p.sha256,
        "storage_key": p.storage_key,
        "uploaded_at": p.uploaded_at,
    }

"""Routes of the invoice portal (see README.md): deterministic PDF downloads."""

from __future__ import annotations

import hashlib

from fixtures_sites.server import FixtureServer, Request, Response

INVOICES: dict[str, tuple[str, str, str]] = {
    "INV-1001": ("2024-01-31", "Consulting, January", "120.00"),
    "INV-1002": ("2024-02-29", "Hosting, February", "89.50"),
    "INV-1003": ("2024-03-31", "Consulting, March", "240.75"),
    "INV-1004": ("2024-04-30", "Support add-on, April", "15.00"),
}
"""Invoice id -> (date, description, amount in USD)."""


def invoice_pdf(invoice_id: str) -> bytes:
    """A one-page PDF for the invoice; the same bytes every time."""
    date, description, amount = INVOICES[invoice_id]
    lines = [f"Invoice {invoice_id}", f"Date: {date}", description, f"Total: USD {amount}"]
    text = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def register(server: FixtureServer) -> None:
    server.state["invoices"] = {
        "sha256": {f"{i}.pdf": hashlib.sha256(invoice_pdf(i)).hexdigest() for i in INVOICES}
    }

    def download(request: Request) -> Response:
        invoice_id = request.query.get("id", "")
        if invoice_id not in INVOICES:
            return Response.page("Not found", "<h1>No such invoice</h1>", status=404)
        return Response(
            invoice_pdf(invoice_id),
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{invoice_id}.pdf"'},
        )

    server.route("GET", "/invoices/download", download)

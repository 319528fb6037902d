"""LibreOffice as the real client: every file the service exports is opened by it.

``converted_to_pdf`` asks LibreOffice (headless, with a profile of its own so that test
processes never share one) to turn each file into a PDF, and fails when it reports an
error or leaves no PDF behind. ``make test`` installs Debian's LibreOffice when it is
missing (scripts/system-packages).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
TIMEOUT_SECONDS = 240


def converted_to_pdf(files: list[Path], out_dir: Path) -> list[Path]:
    """Each file as LibreOffice prints it to PDF, in ``out_dir``; fails if it cannot."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "libreoffice-profile"
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *(str(path) for path in files),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, f"LibreOffice failed ({done.returncode}): {said}"
    assert "Error" not in said, f"LibreOffice reported an error: {said}"
    pdfs = []
    for path in files:
        pdf = out_dir / (path.stem + ".pdf")
        assert pdf.exists(), f"LibreOffice made no PDF of {path.name}: {said}"
        assert pdf.read_bytes().startswith(b"%PDF"), f"{pdf.name} is not a PDF"
        assert pdf.stat().st_size > 1000, f"{pdf.name} is nearly empty"
        pdfs.append(pdf)
    return pdfs
